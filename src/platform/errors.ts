// Expected, user-fixable failures. Resolvers throw these; the errors plugin turns the listed ones into typed union
// members. Anything else is an internal error and is masked by Yoga.
export interface Issue {
  /** Where: an input path (["input", "code"]) or a file location (["line 4", "value"]). */
  path: string[];
  message: string;
}

export class AppError extends Error {}

export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super(message);
  }

  static of(issues: Issue[]): ValidationError {
    const first = issues[0];
    const summary = first ? `${first.path.join('.')}: ${first.message}` : 'invalid input';
    return new ValidationError(issues.length > 1 ? `${summary} (and ${issues.length - 1} more)` : summary, issues);
  }
}

export class NotFoundError extends AppError {}

export class ConflictError extends AppError {}

/** Maps Prisma's known request errors to domain errors; returns other errors unchanged. */
export function fromPrismaError(error: unknown, what: string): unknown {
  const code = (error as { code?: unknown })?.code;
  if (code === 'P2002') return new ConflictError(`${what} already exists`);
  if (code === 'P2025') return new NotFoundError(`${what} was not found`);
  if (code === 'P2003') return new ConflictError(`${what} is still referenced by other records`);
  return error;
}
