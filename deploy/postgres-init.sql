-- Runs once, when the postgres container first creates its data directory.
-- The application connects as an ordinary role that owns its database: PostgreSQL superusers bypass
-- row-level security, so the tenant policies (dispatch_platform/tenancy/rls.py) bind only such a role.
-- Bulk intake copies rows through temporary tables (dispatch_platform/common/bulk.py): the role keeps the
-- TEMPORARY privilege every role has on a new database by default. `migrate` creates trigger functions
-- (dispatch_platform/tenancy/config_token.py): as the database's owner the role may create them in its
-- public schema (PostgreSQL 15 and later grant CREATE there to the database owner only).
CREATE ROLE dispatch LOGIN PASSWORD 'dispatch' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE dispatch OWNER dispatch;
