-- One index fewer on the table every transition writes. audit_log_at_id (at, id) served verification by time range
-- across tenants; verification now finds a range's sealed records through audit_seals and its pre-seal records
-- through audit_log_pre_seal, and the query API's time filters are planned the same with or without it, so no
-- statement needs it. Each record now enters seven indexes instead of eight.
DROP INDEX audit_log_at_id;
