-- Audit actions written by the country and catalogue imports before they shared the API's vocabulary
-- ('Country.create', 'SdgIndicator.create') take the camelCase form the API writes ('country.create').
UPDATE "AuditLog"
SET action = lower(substr(action, 1, 1)) || substr(action, 2)
WHERE action ~ '^[A-Z]';
