-- The decision-log queries of `spendgate report`, one per `-- name:` block.
--
-- They read one view, `log_source`, which spendgate defines over the decision log
-- (`audit/decisions.jsonl`, JSON Lines, one record per line) with `read_json`, naming the only
-- fields read, so that the rest of each record (the decision's findings, inputs and trace) is
-- skipped, not loaded or guessed at:
--
--   record       BIGINT    the record's number among the log's non-blank lines, from 1
--   timestamp    VARCHAR   when `spendgate audit record` wrote it (ISO 8601, UTC)
--   decision     STRUCT(request_id VARCHAR, status VARCHAR, file VARCHAR,
--                       inputs STRUCT(documents VARCHAR[][]))
--                the request, the status decided, the request's file, and every file the
--                decision read as [path, git blob id] (of which only the request's is kept)
--
-- A line that is not a JSON object reads as nulls. Every other field is ignored, and the hash
-- chain is not checked here: that is `spendgate audit verify`.
--
-- Tables spendgate fills before the queries run:
--   gate_approved(request_id, file, blob)   the requests the gate approves on the report date,
--                                           each with its file and the file's git blob id
--   decision_statuses(status)               the statuses a decision can have

-- name: log_rows
-- Each record read once (the log is scanned by this statement only): its request, status, UTC
-- time and the request's file and blob as decided, and the first thing wrong with it (`fault`),
-- the timestamp as written.
CREATE OR REPLACE TEMP TABLE log_rows AS
WITH fields AS (
    SELECT
        record,
        timestamp AS timestamp_text,
        decision.request_id AS request_id,
        decision.status AS status,
        decision.file AS file,
        list_filter(decision.inputs.documents, lambda read: read[1] = decision.file)[1][2]
            AS blob,
        TRY_CAST(timestamp AS TIMESTAMPTZ) AS recorded_at
    FROM log_source
)
SELECT
    *,
    CASE
        WHEN timestamp_text IS NULL AND request_id IS NULL AND status IS NULL
            THEN 'the line is not a JSON object with a timestamp and a decision'
        WHEN request_id IS NULL THEN 'decision.request_id is missing'
        -- a document id (spendgate's Identifier), not any text: it is shown on the page
        WHEN NOT regexp_full_match(request_id, '[A-Za-z0-9][A-Za-z0-9._-]{0,127}')
            THEN 'decision.request_id is not a document id'
        WHEN status IS NULL THEN 'decision.status is missing'
        WHEN status NOT IN (SELECT status FROM decision_statuses)
            THEN 'decision.status is not a decision status'
        WHEN timestamp_text IS NULL THEN 'timestamp is missing'
        -- DuckDB also reads years past 9999 and a bare date: neither is what the log writes
        WHEN recorded_at IS NULL
            OR NOT regexp_matches(timestamp_text, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:')
            THEN 'timestamp is not an ISO 8601 date-time'
    END AS fault
FROM fields;

-- name: log_counts
-- The good records, the requests they are about, and the records left out.
SELECT
    COUNT(*) FILTER (WHERE fault IS NULL) AS records,
    COUNT(DISTINCT request_id) FILTER (WHERE fault IS NULL) AS requests
FROM log_rows;

-- name: log_faults
-- The records left out, counted by fault.
SELECT fault, COUNT(*) AS records
FROM log_rows
WHERE fault IS NOT NULL
GROUP BY ALL
ORDER BY ALL;

-- name: log_months
-- The good records by the UTC month of their timestamp (YYYY-MM).
SELECT strftime(recorded_at, '%Y-%m') AS month, COUNT(*) AS records
FROM log_rows
WHERE fault IS NULL
GROUP BY ALL
ORDER BY ALL;

-- name: log_latest
-- Each request's latest record: the last one in the log, which is append-only.
CREATE OR REPLACE TEMP VIEW log_latest AS
SELECT
    request_id,
    arg_max(status, record) AS status,
    arg_max(file, record) AS file,
    arg_max(blob, record) AS blob
FROM log_rows
WHERE fault IS NULL
GROUP BY request_id;

-- name: log_latest_statuses
-- Requests counted by the status of their latest record.
SELECT status, COUNT(*) AS requests
FROM log_latest
GROUP BY ALL
ORDER BY ALL;

-- name: log_approved_unrecorded
-- Requests the gate approves whose latest record is not that approval: not approved, or the
-- approval of another text of the request (a file edited, or moved, since it was recorded).
SELECT request_id
FROM gate_approved
WHERE NOT EXISTS (
    SELECT 1 FROM log_latest
    WHERE log_latest.request_id = gate_approved.request_id
        AND log_latest.status = 'approved'
        AND log_latest.file = gate_approved.file
        AND log_latest.blob = gate_approved.blob
)
ORDER BY request_id;

-- name: log_approval_withdrawn
-- Requests whose latest record says approved, and that the gate no longer approves.
SELECT request_id
FROM log_latest
WHERE status = 'approved' AND request_id NOT IN (SELECT request_id FROM gate_approved)
ORDER BY request_id;

-- name: log_bad_records
-- The first records left out ($1 of them), with the timestamp as written.
SELECT record, fault, timestamp_text
FROM log_rows
WHERE fault IS NOT NULL
ORDER BY record
LIMIT $1;
