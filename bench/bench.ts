// Entry point of `npm run bench`. The benchmarks themselves arrive with the benchmarks issue.
console.log('twclid-kit benchmarks: none yet. See bench/README.md once they land.');
