import { accessSync, constants, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_VARIABLES } from "../../../src/config.js";

/** Docker cannot run here, so the compose file's wiring is checked by reading it. */
interface ComposeService {
  image?: string;
  build?: unknown;
  profiles?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  networks?: { default?: { aliases?: string[] } };
  init?: boolean;
  command?: string[];
}

const compose = parse(readFileSync("docker-compose.yml", "utf8"), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
/** Variables the AWS SDK itself reads from the environment. */
const SDK_VARIABLES = new Set(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);

describe("docker-compose.yml", () => {
  it("pins LocalStack to a release and passes its auth token through", () => {
    const localstack = services.localstack!;
    expect(localstack.image).toMatch(/^localstack\/localstack:\d{4}\.\d{2}\.\d+$/);
    expect(localstack.environment?.LOCALSTACK_AUTH_TOKEN).toMatch(/^\$\{LOCALSTACK_AUTH_TOKEN/);
    expect(localstack.ports).toContain("127.0.0.1:4566:4566");
  });

  it("mounts the ready hook that bootstraps bucket, queue and notification", () => {
    const mount = services.localstack!.volumes?.find((v) => v.includes("/etc/localstack/init/ready.d"));
    expect(mount).toBeDefined();
    const hook = "localstack/init/ready.d/10-bootstrap.sh";
    accessSync(hook, constants.X_OK);
    const script = readFileSync(hook, "utf8");
    for (const call of [
      "create-bucket",
      "put-bucket-cors",
      "create-queue",
      "RedrivePolicy",
      "put-bucket-notification-configuration",
      "s3:ObjectCreated:*",
      "s3:ObjectRemoved:*",
      "s3.amazonaws.com",
    ]) {
      expect(script).toContain(call);
    }
  });

  it("offers a token-free moto profile on the same endpoint, with the bootstrap run from the inspector image", () => {
    expect(services.moto!.image).toMatch(/^motoserver\/moto:\d+\.\d+\.\d+$/);
    expect(services.moto!.ports).toEqual(services.localstack!.ports);
    expect(services.moto!.networks?.default?.aliases).toEqual(services.localstack!.networks?.default?.aliases);
    expect(services.bootstrap!.command).toEqual(["node", "dist/scripts/setup-localstack.js"]);
    expect(services.bootstrap!.profiles).toEqual(["moto"]);
  });

  it("runs PostgreSQL 15 with a volume and migrates before the inspector starts", () => {
    expect(services.postgres!.image).toBe("postgres:15");
    expect(services.postgres!.volumes?.[0]).toMatch(/^pgdata:/);
    expect(services.migrate!.command).toEqual(["npx", "prisma", "migrate", "deploy"]);
    expect(services.inspector!.depends_on?.migrate?.condition).toBe("service_completed_successfully");
  });

  it("sets only variables the inspector reads, and points them at the services in the file", () => {
    const inspector = services.inspector!;
    const env = inspector.environment ?? {};
    for (const name of Object.keys(env)) {
      expect(CONFIG_VARIABLES.includes(name as never) || SDK_VARIABLES.has(name), `${name} is read by the inspector`).toBe(true);
    }
    expect(env.AWS_ENDPOINT).toBe("http://aws:4566");
    expect(env.DATABASE_URL).toBe("postgresql://tvidz:tvidz@postgres:5432/tvidz");
    expect(env.DATABASE_URL).toBe(services.migrate!.environment?.DATABASE_URL);
    expect(inspector.ports).toContain(`127.0.0.1:${env.PORT}:8080`);
    expect(inspector.init).toBe(true);
  });

  it("offers a citus profile: a pinned coordinator and two workers, the workers registered, then migrate, then frame_index distributed by key", () => {
    const nodes = ["citus-coordinator", "citus-worker-1", "citus-worker-2"];
    const image = services["citus-coordinator"]!.image!;
    expect(image).toMatch(/^citusdata\/citus:\d+\.\d+\.\d+-pg15$/);
    for (const name of [...nodes, "citus-nodes", "citus-distribute"]) {
      expect(services[name]!.image, name).toBe(image);
      expect(services[name]!.profiles, name).toEqual(["citus"]);
    }
    for (const name of nodes) expect(services[name]!.healthcheck?.test.length, name).toBeGreaterThan(0);
    const registration = services["citus-nodes"]!.command!.join(" ");
    for (const worker of ["citus-worker-1", "citus-worker-2"]) expect(registration).toContain(`citus_add_node('${worker}', 5432)`);
    expect(services["citus-migrate"]!.depends_on?.["citus-nodes"]?.condition).toBe("service_completed_successfully");
    const distribute = services["citus-distribute"]!;
    expect(distribute.volumes).toContain("./prisma/sql:/sql:ro");
    expect(distribute.command!.join(" ")).toContain("-f /sql/distribute-frame-index.sql");
    expect(distribute.depends_on?.["citus-migrate"]?.condition).toBe("service_completed_successfully");
    const sql = readFileSync("prisma/sql/distribute-frame-index.sql", "utf8");
    expect(sql).toContain("create_distributed_table('frame_index', 'key'");
    expect(sql).toContain("create_reference_table('index_stop_key')");

    const inspector = services["inspector-citus"]!;
    const coordinator = "postgresql://tvidz:tvidz@citus-coordinator:5432/tvidz";
    expect(inspector.environment?.DATABASE_URL).toBe(coordinator);
    expect(services["citus-migrate"]!.environment?.DATABASE_URL).toBe(coordinator);
    expect(distribute.command!.join(" ")).toContain(coordinator);
    for (const name of Object.keys(inspector.environment ?? {}))
      expect(CONFIG_VARIABLES.includes(name as never) || SDK_VARIABLES.has(name), `${name} is read by the inspector`).toBe(true);
    expect(inspector.depends_on?.["citus-distribute"]?.condition).toBe("service_completed_successfully");
    expect(inspector.build).toEqual(services.inspector!.build);
    expect(inspector.healthcheck).toEqual(services.inspector!.healthcheck);
  });

  it("gives every long-running service a healthcheck", () => {
    for (const name of ["localstack", "moto", "postgres", "inspector"]) {
      expect(services[name]!.healthcheck?.test.length, name).toBeGreaterThan(0);
    }
  });
});

describe("Dockerfile", () => {
  const dockerfile = readFileSync("Dockerfile", "utf8");
  it("is multi-stage, installs ffmpeg, runs as non-root under an init, with a healthcheck", () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/apt-get install[^\n]*ffmpeg/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini"/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/src\/main.js"\]$/m);
  });
});

describe("Node version", () => {
  it("the image, engines and .nvmrc all target the same Node LTS major", () => {
    const major = readFileSync(".nvmrc", "utf8").trim();
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string }; devDependencies: Record<string, string> };
    expect(pkg.engines.node).toBe(`>=${major}`);
    expect(pkg.devDependencies["@types/node"]).toMatch(new RegExp(`^\\^${major}\\.`));
    const images = readFileSync("Dockerfile", "utf8").match(/^FROM node:(\d+)-/gm) ?? [];
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const image of images) expect(image).toContain(`node:${major}-`);
  });
});
