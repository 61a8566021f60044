/** One kind of refusal a server answers at start-up, and the settings an operator should look at for it. */
interface DenialRule {
  readonly steps?: RegExp;
  readonly answer: RegExp;
  readonly check: (step: string, message: string) => string;
}

const REGISTRY = /schema registry|registry refused/i;

/** Which CA variable a certificate failure in this step points to. */
function caFileOf(step: string, message: string): string {
  if (REGISTRY.test(message)) return 'FORESIGHT_SCHEMA_REGISTRY_TLS_CA_FILE';
  if (/redis/i.test(step)) return 'FORESIGHT_REDIS_TLS_CA_FILE';
  if (/neo4j|graph/i.test(step)) return 'FORESIGHT_NEO4J_TLS_CA_FILE';
  return 'FORESIGHT_KAFKA_TLS_CA_FILE';
}

const RULES: readonly DenialRule[] = [
  { answer: /SASL .*authentication failed|invalid credentials/i, check: () => 'FORESIGHT_KAFKA_SASL_USERNAME and FORESIGHT_KAFKA_SASL_PASSWORD' },
  {
    answer: /not authorized to access|authorization failed/i,
    check: () => "the ACLs of FORESIGHT_KAFKA_SASL_USERNAME's principal for FORESIGHT_TOPIC_PREFIX (granted by the Kafka admin step)",
  },
  { answer: /\(401\)|\b401\b.*unauthorized|unauthorized.*\b401\b/i, check: () => 'FORESIGHT_SCHEMA_REGISTRY_USERNAME and FORESIGHT_SCHEMA_REGISTRY_PASSWORD' },
  { answer: /WRONGPASS|invalid username-password/i, check: () => 'FORESIGHT_REDIS_USERNAME and FORESIGHT_REDIS_PASSWORD' },
  { answer: /NOAUTH/, check: () => 'FORESIGHT_REDIS_USERNAME and FORESIGHT_REDIS_PASSWORD (the server requires them)' },
  { answer: /NOPERM/, check: () => "the ACL of FORESIGHT_REDIS_USERNAME's user" },
  { steps: /neo4j|graph/i, answer: /Security\.Unauthorized|authentication failure|unauthorized/i, check: () => 'FORESIGHT_NEO4J_USER and FORESIGHT_NEO4J_PASSWORD' },
  { steps: /neo4j|graph/i, answer: /closed by server/i, check: () => 'FORESIGHT_NEO4J_TLS_CA_FILE or FORESIGHT_NEO4J_ENCRYPTED: the server may require TLS' },
  {
    answer: /self[- ]signed certificate|unable to (verify|get local issuer)|certificate (has expired|verify failed)|altnames|UNABLE_TO_VERIFY|DEPTH_ZERO/i,
    check: (step, message) => caFileOf(step, message),
  },
];

/**
 * The settings a start-up failure points to when a server refused the service (wrong password, missing ACL,
 * untrusted certificate), as " (check …)" to append to the failure's one line; '' for any other failure.
 */
export function accessDeniedHint(step: string, message: string): string {
  const rule = RULES.find((r) => (r.steps === undefined || r.steps.test(step)) && r.answer.test(message));
  return rule === undefined ? '' : ` (check ${rule.check(step, message)})`;
}
