-- Least-privilege PostgreSQL for Bilan (PostgreSQL 15). Run once as a superuser:
--   psql -v ON_ERROR_STOP=1 -v owner_password=... -v app_password=... -f deploy/postgres-setup.sql
-- docs/DEPLOY.md "PostgreSQL roles" explains who runs what.
--
--   bilan_owner  owns the databases and the platform (public) tables; `flask db upgrade` runs as it
--                (through a DATABASE_URL of its own, on the direct port). Member of bilan_app, so it
--                can alter the centre schemas the app created at signup; CREATEROLE, since an upgrade
--                re-creates a missing centre role and its membership (saas/migrate.py:secure_centre).
--   bilan_app    what the web and the scheduler connect as: reads and writes the platform tables,
--                creates a centre's schema and role at signup (CREATE on the database, CREATEROLE for
--                the NOLOGIN centre roles), never alters or drops a platform table.
--   centre_<id>  one NOLOGIN role per centre (saas/db.py:create_schema), member of bilan_centres;
--                tenant transactions run as it (SET LOCAL ROLE) and may use their own schema only,
--                plus the public tables saas/tenancy/roles.py:PUBLIC_GRANTS lists.

CREATE ROLE bilan_owner LOGIN PASSWORD :'owner_password' NOSUPERUSER NOCREATEDB CREATEROLE NOBYPASSRLS;
CREATE ROLE bilan_app LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB CREATEROLE NOBYPASSRLS;
DO $$ BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'bilan_centres') THEN
        CREATE ROLE bilan_centres NOLOGIN;
    END IF; END $$;
GRANT bilan_app TO bilan_owner;

CREATE DATABASE bilan OWNER bilan_owner ENCODING 'UTF8' TEMPLATE template0;
CREATE DATABASE bilan_keys OWNER bilan_owner ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE bilan, bilan_keys FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE bilan, bilan_keys TO bilan_app;
-- A centre's schema is created at signup, by the web process.
GRANT CREATE ON DATABASE bilan TO bilan_app;

\connect bilan
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO bilan_owner;
GRANT USAGE ON SCHEMA public TO bilan_app, bilan_centres;
-- Tables the owner's migrations create: rows for the app, never their structure.
ALTER DEFAULT PRIVILEGES FOR ROLE bilan_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bilan_app;
ALTER DEFAULT PRIVILEGES FOR ROLE bilan_owner IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO bilan_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO bilan_app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO bilan_app;
-- An install upgraded from a single login role: the app may switch to every existing centre role.
DO $$ DECLARE r record; BEGIN
    FOR r IN SELECT rolname FROM pg_roles WHERE rolname ~ '^centre_[0-9]+$' LOOP
        EXECUTE format('GRANT %I TO bilan_app', r.rolname);
    END LOOP; END $$;

\connect bilan_keys
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO bilan_owner;
GRANT USAGE ON SCHEMA public TO bilan_app;
ALTER DEFAULT PRIVILEGES FOR ROLE bilan_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO bilan_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO bilan_app;
