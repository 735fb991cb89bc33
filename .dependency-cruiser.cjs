/**
 * Import rules for src/: each folder imports only from folders below it in this list (and
 * the entry points above them all import anything). The order is the flow in the README's
 * architecture sketch, read from the pure bottom up to the entry points.
 */
const LAYERS = [
  ["domain", "^src/domain/"],
  ["fingerprint", "^src/fingerprint/"],
  ["match", "^src/match/"],
  ["store", "^src/store/"],
  ["aws", "^src/aws/"],
  ["objects", "^src/objects/"],
  ["media", "^src/media/"],
  ["ingest", "^src/ingest/"],
  ["status", "^src/status/"],
  ["results", "^src/results/"],
  ["queue", "^src/queue/"],
  ["http", "^src/http/"],
  ["entry points (main, service, wiring, config, logger, metrics, cli)", "^src/(cli/|[^/]+[.]ts$)"],
];

/** Layers without I/O: these may not reach the file system, processes, the network or a database. */
const PURE = "^src/(domain|fingerprint)/";
const IO_MODULES =
  "^(node:)?(fs|fs/promises|child_process|net|http|https|dgram|os|readline)$|^(@aws-sdk|@prisma|pg|pg-copy-streams|express|fluent-ffmpeg|pino)";

const upward = LAYERS.slice(0, -1).map(([name, path], rank) => ({
  name: `${name}-imports-upward`,
  comment: `${name} may import only layers below it: ${
    LAYERS.slice(0, rank)
      .map(([n]) => n)
      .join(", ") || "none"
  }`,
  severity: "error",
  from: { path },
  to: { path: LAYERS.slice(rank + 1).map(([, p]) => p) },
}));

module.exports = {
  forbidden: [
    { name: "no-circular", comment: "imports must not form a cycle", severity: "error", from: { path: "^src/" }, to: { circular: true } },
    ...upward,
    {
      name: "http-reads-through-status",
      comment: "http/ answers from status/ (snapshots, read models) and the domain, never from the stores, the use case or media",
      severity: "error",
      from: { path: "^src/http/" },
      to: { path: "^src/(store|ingest|objects|aws|media|match|fingerprint|queue)/" },
    },
    {
      name: "prisma-stays-in-store",
      comment: "Prisma's types and client are used only inside src/store",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(store|generated)/" },
      to: { path: "^src/generated/" },
    },
    {
      name: "pure-layers-do-no-io",
      comment: "domain/ and fingerprint/ are pure: no I/O modules",
      severity: "error",
      from: { path: PURE },
      to: { path: IO_MODULES },
    },
    {
      name: "src-stands-alone",
      comment: "the service does not import tests or scripts",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^(test|scripts)/" },
    },
    { name: "not-to-unresolvable", comment: "every import resolves", severity: "error", from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: ["node_modules", "^src/generated/"] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
      extensions: [".ts", ".js"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
