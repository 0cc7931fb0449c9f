-- Runs once, when the postgres container first creates its data directory.
-- The application connects as an ordinary role that owns its database: PostgreSQL superusers bypass
-- row-level security, so the tenant policies (dispatch_platform/tenancy/rls.py) bind only such a role.
CREATE ROLE dispatch LOGIN PASSWORD 'dispatch' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE DATABASE dispatch OWNER dispatch;
