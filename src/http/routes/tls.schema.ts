import { z } from 'zod';
import type { ApiTlsCertificate } from '../../protocol/tls.ts';
import { TLS_PEM_LIMITS } from '../../tls/certificate-check.ts';
import { isoTimeSchema } from './common.schema.ts';

export const tlsCertificateSchema = z
  .object({
    subject: z.string().describe('Distinguished name, e.g. "CN=mail.example.com"'),
    issuer: z.string(),
    dnsNames: z.array(z.string()).describe('Subject alternative names of type DNS'),
    ipAddresses: z.array(z.string()).describe('Subject alternative names of type IP address'),
    notBefore: isoTimeSchema,
    notAfter: isoTimeSchema,
    fingerprint256: z.string().describe('SHA-256 of the certificate, colon-separated hex'),
    serialNumber: z.string().describe('Hex'),
    publicKey: z.string().describe('"EC prime256v1", "RSA 2048 bits"…'),
    selfSigned: z.boolean(),
    chainLength: z
      .number()
      .int()
      .min(1)
      .describe('Certificates served: the server’s own and its intermediates'),
  })
  .meta({ id: 'TlsCertificate' }) satisfies z.ZodType<ApiTlsCertificate>;

export const replaceCertificateBody = z.strictObject({
  certificate: z
    .string()
    .max(TLS_PEM_LIMITS.certificateChars)
    .describe('PEM: the server’s certificate first, then its intermediates in order'),
  privateKey: z.string().max(TLS_PEM_LIMITS.keyChars).describe('PEM, unencrypted (PKCS#8, PKCS#1 or SEC 1)'),
});
