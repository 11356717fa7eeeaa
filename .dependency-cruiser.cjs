// Import rules of src/ (npm run lint:deps; test/unit/architecture.test.ts runs it in npm test).
// The layers, from the bottom up: the pure core; the runtime that drives it through the ports it
// owns (src/runtime/ports.ts); the adapters that implement those ports; the composition roots that
// wire them. Each rule says why it exists. Type-only imports count: a type is a dependency too.

/**
 * The adapters, each with the other adapters it builds on (declared, one way only):
 * - hadoop speaks the HA protocols over src/ipc, the Hadoop IPC transport and codec (never the other
 *   way: the transport knows no HA protocol, method or exception, or the two would be one module);
 * - http serves the status model and metrics of src/observability (/status, /metrics);
 * - kerberos is the GSSAPI binding and SASL GSSAPI mechanism; hadoop applies it to Hadoop IPC the
 *   way Hadoop's SaslRpcClient does (src/ipc only knows a SASL mechanism, not Kerberos);
 * - zookeeper reads the key stores of its TLS connections with src/security (PKCS#12, PEM), and
 *   config the credential stores of hadoop.security.credential.provider.path (JCEKS); security
 *   knows neither.
 * - config validates hadoop.security.auth_to_local with src/kerberos's parser of KerberosName's rules
 *   (a pure module: the GSSAPI binding is loaded only by the daemon and haadmin under Kerberos).
 */
const ADAPTERS = {
  ipc: [],
  kerberos: [],
  hadoop: ['ipc', 'kerberos'],
  security: [],
  // ZooKeeper SASL (src/zookeeper/sasl.ts) runs the GSSAPI mechanism and keytab login of src/kerberos.
  zookeeper: ['security', 'kerberos'],
  fencing: [],
  http: ['observability'],
  observability: [],
  config: ['security', 'kerberos'],
};

/**
 * Small modules every layer above the core may import. Each is named with the reason it is shared;
 * a module is added here only when it is a vocabulary, not a behaviour of one adapter.
 */
const SHARED = [
  // ZkfcError (the base of every typed error) and the process exit codes.
  '^src/errors\\.ts$',
  // The Logger type and the pino factory: every component logs through a child of one logger.
  '^src/observability/logger\\.ts$',
  // Bounds and escapes strings that came from the network before they are logged or shown.
  '^src/observability/untrusted\\.ts$',
  // Wall times as ISO-8601 and HTTP dates, for logs, records and the status listener alike,
  // without V8's toISOString (which loads ICU's time zone data).
  '^src/observability/wall-time\\.ts$',
  // Hadoop's "@/path" value indirection, read by the ZooKeeper ACL/auth parsing and by fencing's
  // redaction of the secrets a fencing script can see.
  '^src/config/conf-indirection\\.ts$',
];

module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment:
        'src/core decides and never does I/O: step(event, now) -> {commands, notes}. It imports only ' +
        'itself, so it runs the same under the simulation and in the daemon (src/core/tsconfig.json ' +
        'checks the same with types: []).',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { pathNot: '^src/core/' },
    },
    {
      name: 'runtime-sees-core-and-ports',
      comment:
        'src/runtime drives the core and reaches the world only through the ports it owns ' +
        '(runtime/ports.ts), so the simulation can stand in for every adapter. No adapter, no npm ' +
        'package (Node built-ins for timers and sd_notify are fine).',
      severity: 'error',
      from: { path: '^src/runtime/' },
      to: {
        pathNot: ['^src/(core|runtime)/', ...SHARED],
        dependencyTypesNot: ['core'],
      },
    },
    ...Object.entries(ADAPTERS).map(([adapter, uses]) => ({
      name: `adapter-stands-alone:${adapter}`,
      comment:
        'An adapter implements ports; it does not reach into another adapter, or a change in one breaks the other ' +
        'and the runtime cannot swap them. It may import: itself, the core, the ports and records of src/runtime ' +
        '(what it implements and reports), its SystemClock (the one real Clock, for callers that pass none) and ' +
        'its PeriodicTask (the one loop of periodic side work, such as the fencing preflight), ' +
        'the SHARED modules, and the adapters ADAPTERS declares it builds on.',
      severity: 'error',
      from: { path: `^src/${adapter}/` },
      to: {
        path: `^src/(${Object.keys(ADAPTERS).join('|')}|runtime|daemon|cli)/`,
        pathNot: [
          `^src/(${[adapter, ...uses].join('|')})/`,
          '^src/runtime/(ports|records|system-clock|periodic-task)\\.ts$',
          ...SHARED,
        ],
      },
    })),
    {
      name: 'generated-code-for-the-protocol-adapters',
      comment: "src/gen is the protobuf generated for Hadoop's wire protocols: only ipc and hadoop speak them.",
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(gen|ipc|hadoop)/' },
      to: { path: '^src/gen/' },
    },
    {
      name: 'roots-are-not-imported',
      comment: 'src/daemon and src/cli wire everything together; nothing below them may depend on a composition root.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(daemon|cli)/' },
      to: { path: '^src/(daemon|cli)/' },
    },
    {
      name: 'src-ships-alone',
      comment: 'src/ is what ships (dist/); tools/ and test/ are not in the package, so src/ must not import them.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(tools|test)/' },
    },
    {
      name: 'no-cycles',
      comment: 'A cycle makes two modules one: neither can be understood, tested or replaced alone.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing dependency; the rules above cannot judge it.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|build)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
