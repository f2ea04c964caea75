/** The stable code of a failed request (ProtocolError, UploadError…); INTERNAL when it has none. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
