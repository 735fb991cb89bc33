import { defineConfig } from "prisma/config";
// adapter-pg 7.x under an alias (6.19's own adapter cannot read the `name` column type the
// schema engine queries during migrations, prisma/orm#27403), made transactional.
import { TransactionalMigrationAdapter } from "./prisma/transactional-adapter.js";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  async adapter() {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set");
    return new TransactionalMigrationAdapter({ connectionString });
  },
});
