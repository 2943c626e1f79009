-- Issue 12.3: two PostgreSQL roles for the portal. Run once, as a superuser:
--   psql -v ON_ERROR_STOP=1 -v db=tiexi -v owner_pw='…' -v app_pw='…' -f scripts/db_roles.sql
-- tiexi_owner owns the database and every table; migrations, `audit purge` and `audit grant_runtime` run as it.
-- tiexi_app is the runtime role of web, worker and beat: ordinary read/write on business tables, but on the audit
-- tables only INSERT and SELECT (no UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER; not the owner, so no ALTER
-- TABLE and no trigger changes). After every `migrate`, run as the owner:
--   manage.py audit grant_runtime --role tiexi_app
-- (or set AUDIT_RUNTIME_DB_ROLE=tiexi_app in the owner's environment and `migrate` does it itself).
CREATE ROLE tiexi_owner LOGIN PASSWORD :'owner_pw' NOSUPERUSER NOCREATEROLE NOBYPASSRLS;
CREATE ROLE tiexi_app LOGIN PASSWORD :'app_pw' NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
CREATE DATABASE :"db" OWNER tiexi_owner ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO tiexi_app;
\connect :"db"
ALTER SCHEMA public OWNER TO tiexi_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO tiexi_app;
-- Tables the owner creates later are readable and writable by the runtime role; `audit grant_runtime` then takes
-- UPDATE/DELETE on the audit tables back. TRUNCATE, REFERENCES and TRIGGER are never granted.
ALTER DEFAULT PRIVILEGES FOR ROLE tiexi_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO tiexi_app;
ALTER DEFAULT PRIVILEGES FOR ROLE tiexi_owner IN SCHEMA public
    GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO tiexi_app;
