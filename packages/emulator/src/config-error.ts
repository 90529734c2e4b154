/** Thrown at start-up for invalid options; `field` names the option. */
export class EmulatorConfigError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'EmulatorConfigError';
    this.field = field;
  }
}
