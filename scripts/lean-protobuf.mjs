// An esbuild plugin for the daemon's bundle (scripts/bundle-daemon.mjs): the file descriptors of our
// generated protobuf modules (src/gen/*_pb.ts) are decoded here, at build time, instead of when
// the daemon starts.
//
// Why: protoc-gen-es embeds each .proto file as a base64 FileDescriptorProto, and fileDesc()
// decodes it at load with fromBinary(FileDescriptorProtoSchema). That schema is the descriptor of
// google/protobuf/descriptor.proto, booted from a large object literal into some thirty message
// and enum descriptors, which stay in the daemon's heap for its whole life only to read our seven
// small files once: about 0.7 MiB of the daemon's idle memory (measured, README "A lean
// daemon"). Here each fileDesc("…") becomes leanFileDesc(<the decoded FileDescriptorProto as a
// literal>), and leanFileDesc hands it to createFileRegistry, what fileDesc does after decoding.
// The descriptors the daemon gets are the same; descriptor.proto is not in the bundle.
//
// The literal rebuilds each message as protobuf-es made it: an object whose prototype holds the
// field defaults of its type (proto2 presence is "own property or not", see unsafeIsSetExplicit),
// with `$typeName` and the fields that were set as own properties. The build checks its work:
// the rebuilt descriptor must encode to the same bytes as the embedded one (toBinary), or the
// build fails.
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { base64Decode } from '@bufbuild/protobuf/wire';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const RUNTIME = 'lean-protobuf-runtime';

/** `fileDesc("<base64>")` as protoc-gen-es writes it (our files import nothing, so no second argument). */
const FILE_DESC = /\bfileDesc\("([A-Za-z0-9+/=]*)"\)/g;

/**
 * @param {string} root the checkout, with a trailing slash
 * @returns {import('esbuild').Plugin}
 */
export function leanProtobuf(root) {
  // restoreJsonNames is what fileDesc applies after decoding (the generator strips json names
  // that follow from the field names); not exported, so loaded by its file.
  const { restoreJsonNames } = createRequire(import.meta.url)(
    `${root}node_modules/@bufbuild/protobuf/dist/cjs/codegenv2/restore-json-names.js`,
  );
  return {
    name: 'lean-protobuf',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\/src\/gen\/[^/]+_pb\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        let count = 0;
        const contents = source.replace(FILE_DESC, (_, b64) => {
          count += 1;
          return `leanFileDesc((${fileDescriptorLiteral(b64, restoreJsonNames, args.path)})(leanMessage))`;
        });
        if (count !== 1 || /\bfileDesc\(/.test(contents))
          throw new Error(`lean-protobuf: expected one fileDesc("…") without imports in ${args.path}`);
        return { contents: `import { leanFileDesc, leanMessage } from '${RUNTIME}';\n${contents}`, loader: 'ts' };
      });
      pluginBuild.onResolve({ filter: new RegExp(`^${RUNTIME}$`) }, () => ({ path: RUNTIME, namespace: RUNTIME }));
      pluginBuild.onLoad({ filter: /.*/, namespace: RUNTIME }, () => ({
        resolveDir: root,
        loader: 'js',
        contents: RUNTIME_SOURCE,
      }));
    },
  };
}

/** What a rebuilt literal calls: `leanMessage` makes one message, `leanFileDesc` the file's descriptor. */
const RUNTIME_SOURCE = `
import { createFileRegistry } from '@bufbuild/protobuf';
export function leanMessage(prototype, typeName, fields) {
  const message = prototype === null ? {} : Object.create(prototype);
  message.$typeName = typeName;
  return Object.assign(message, fields);
}
export function leanFileDesc(file) {
  return createFileRegistry(file, () => undefined).getFile(file.name);
}
`;

/**
 * The FileDescriptorProto embedded as `b64`, decoded, as the source of a function that rebuilds it
 * from a message maker `m` (one prototype object per message type, shared).
 */
function fileDescriptorLiteral(b64, restoreJsonNames, path) {
  const bytes = base64Decode(b64);
  const file = fromBinary(FileDescriptorProtoSchema, bytes);
  file.messageType.forEach(restoreJsonNames);
  const prototypes = new Map(); // type name -> [variable, literal]
  const expression = literal(file, prototypes);
  const declarations = [...prototypes.values()].map(([name, text]) => `const ${name} = ${text};`).join(' ');
  const code = `(m) => { ${declarations} return ${expression}; }`;

  // The check: the rebuilt descriptor encodes to what the decoded one does.
  const m = (prototype, typeName, fields) =>
    Object.assign(Object.assign(prototype === null ? {} : Object.create(prototype), { $typeName: typeName }), fields);
  const rebuilt = new Function(`return ${code};`)()(m);
  const expected = Buffer.from(toBinary(FileDescriptorProtoSchema, file));
  const actual = Buffer.from(toBinary(FileDescriptorProtoSchema, rebuilt));
  if (!actual.equals(expected)) throw new Error(`lean-protobuf: the rebuilt descriptor of ${path} differs`);
  return code;
}

/** A JavaScript expression for `value` (a message, a list, or a scalar of a descriptor). */
function literal(value, prototypes) {
  if (Array.isArray(value)) return `[${value.map((item) => literal(item, prototypes)).join(', ')}]`;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === undefined) return 'undefined';
  if (typeof value === 'object' && value !== null && typeof value.$typeName === 'string') {
    const prototype = Object.getPrototypeOf(value);
    let prototypeName = 'null';
    if (prototype !== Object.prototype) {
      if (!prototypes.has(value.$typeName)) {
        prototypes.set(value.$typeName, [`p${prototypes.size}`, plainLiteral(prototype, value.$typeName)]);
      }
      prototypeName = prototypes.get(value.$typeName)[0];
    }
    const fields = Object.keys(value)
      .filter((key) => key !== '$typeName')
      .map((key) => `${JSON.stringify(key)}: ${literal(value[key], prototypes)}`);
    return `m(${prototypeName}, ${JSON.stringify(value.$typeName)}, {${fields.join(', ')}})`;
  }
  throw new Error(`lean-protobuf: cannot write ${Object.prototype.toString.call(value)} as a literal`);
}

/** The defaults a message type keeps on its prototype: scalars only. */
function plainLiteral(prototype, typeName) {
  if (Object.getPrototypeOf(prototype) !== Object.prototype)
    throw new Error(`lean-protobuf: unexpected prototype chain for ${typeName}`);
  const entries = Object.keys(prototype).map((key) => {
    const value = prototype[key];
    if (typeof value === 'object' && value !== null)
      throw new Error(`lean-protobuf: object default for ${typeName}.${key}`);
    return `${JSON.stringify(key)}: ${typeof value === 'bigint' ? `${value}n` : JSON.stringify(value)}`;
  });
  return `{${entries.join(', ')}}`;
}
