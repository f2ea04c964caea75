/**
 * The TLS certificate as the admin API shows it (GET/PUT
 * /api/v1/tls/certificate), shared by the server's schema and the console.
 */
export interface ApiTlsCertificate {
  /** "CN=mail.example.com, O=Example": the distinguished name, its parts joined by ", ". */
  subject: string;
  issuer: string;
  /** Subject alternative names of type DNS. */
  dnsNames: string[];
  /** Subject alternative names of type IP address. */
  ipAddresses: string[];
  /** ISO 8601, UTC. */
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the DER certificate, colon-separated hex, as OpenSSL and browsers show it. */
  fingerprint256: string;
  serialNumber: string;
  /** "EC prime256v1", "RSA 2048 bits"… */
  publicKey: string;
  selfSigned: boolean;
  /** Certificates in the file: 1 for the server's own alone, more with intermediates. */
  chainLength: number;
}

/**
 * Why a certificate and key were refused (TLS_INVALID): the `reason` of the
 * error's detail, stable, so a client can word it in its own language.
 */
export const TlsProblem = {
  /** No PEM certificate in the text, or one that does not parse. */
  certificateNotPem: 'certificate-not-pem',
  /** No PEM private key in the text, or one that does not parse. */
  keyNotPem: 'key-not-pem',
  /** The key is protected by a passphrase: the server could not open it at start. */
  keyEncrypted: 'key-encrypted',
  /** The key is not the one of the server's certificate (the first of the file). */
  keyMismatch: 'key-mismatch',
  expired: 'expired',
  notYetValid: 'not-yet-valid',
  /** The server's own certificate is not first, or a certificate does not issue the one before it. */
  chainOrder: 'chain-order',
  /** TLS cannot use the pair (a key too weak for OpenSSL's security level…). */
  unusable: 'unusable',
} as const;

export type TlsProblem = (typeof TlsProblem)[keyof typeof TlsProblem];
