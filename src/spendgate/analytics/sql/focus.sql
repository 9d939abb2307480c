-- The FOCUS queries of `spendgate report --billing`, one per `-- name:` block.
--
-- They read one view, `focus_source`, which spendgate defines for each billing file, or for
-- files that read alike (parts of one export), as the files' columns plus `record`, the row's
-- number in its file, and `source_file`, the file's name (the sums are per file, so that each
-- file's rows left out are counted and located in it). A CSV file's columns are text; a
-- Parquet file's amounts are read as typed when they are exact numbers (DECIMAL, integers) and
-- its ChargePeriodStart when it is a date or timestamp; any other column is text (a float as
-- the shortest decimal that reads back as it, which is what the exporter wrote). Every query
-- runs as well on a warehouse table of FOCUS rows: define `focus_source` over it the same way,
-- and `fx_rates` and `iso_currencies` as below.
--
-- FOCUS columns read: BilledCost, EffectiveCost, BillingCurrency, ChargeCategory, ChargeClass,
-- ChargePeriodStart, ProviderName, InvoiceIssuerName, CommitmentDiscountId. Every other column
-- (x_ custom columns included) is ignored.
--
-- Tables spendgate fills before the queries run:
--   iso_currencies(code)                          ISO 4217 currency codes
--   fx_rates(currency, as_of, valid_from, valid_until, rate)   (read by focus_bad_rows only)
--        one row per currency and recorded FX table: the table of `as_of` converts the charges
--        dated from valid_from (included) to valid_until (excluded); the base currency is 1.
--
-- The sums need no FX table: they are kept by currency and charge day, and spendgate converts
-- each sum with the table in force on its day (a few thousand sums, not millions of rows), so
-- the scan can start before the FX history is read.

-- name: focus_cell
-- A cell as FOCUS reads it: text, trimmed, with an empty cell and the literal NULL as null.
CREATE OR REPLACE TEMP MACRO focus_cell(value) AS
    NULLIF(NULLIF(TRIM(CAST(value AS VARCHAR)), ''), 'NULL');

-- name: focus_state
-- How a cell parsed: 'ok'; 'null' (null as FOCUS reads it); or 'bad' (written, not parsed).
-- The cell is read as text only when it did not parse, so a good row costs no text work.
CREATE OR REPLACE TEMP MACRO focus_state(parsed, value) AS
    CASE
        WHEN parsed IS NOT NULL THEN 'ok'
        WHEN focus_cell(value) IS NULL THEN 'null'
        ELSE 'bad'
    END;

-- name: focus_amount_state
-- How an amount parsed: as `focus_state`, and 'big' for a finite number that is not one of
-- DECIMAL(38, 18) (its magnitude is 10^20 or more).
CREATE OR REPLACE TEMP MACRO focus_amount_state(parsed, value) AS
    CASE
        WHEN parsed IS NULL AND isfinite(TRY_CAST(focus_cell(value) AS DOUBLE)) THEN 'big'
        ELSE focus_state(parsed, value)
    END;

-- name: focus_whole
-- A sum of amounts (DECIMAL(38, 18)), exact. DuckDB's DECIMAL sum fails past 10^20, which a
-- few amounts near it reach: spendgate then defines the two macros again as `focus_whole_wide`
-- and `focus_part_wide` and scans the file again. The sum is focus_whole + focus_part.
CREATE OR REPLACE TEMP MACRO focus_whole(amount) AS SUM(amount);

-- name: focus_part
CREATE OR REPLACE TEMP MACRO focus_part(amount) AS CAST(NULL AS DECIMAL(38, 18));

-- name: focus_whole_wide
-- The whole units of the amounts (truncated: DECIMAL(38, 0)), summed: 10^18 amounts below
-- 10^20 fit.
CREATE OR REPLACE TEMP MACRO focus_whole(amount) AS SUM(trunc(amount));

-- name: focus_part_wide
-- What is left of each amount (less than a unit), summed as DECIMAL(38, 18).
CREATE OR REPLACE TEMP MACRO focus_part(amount) AS SUM(amount - trunc(amount));

-- name: focus_fault
-- The first thing wrong with a row, from its amounts' and start's states and its cells as
-- FOCUS reads them; null for a good row.
CREATE OR REPLACE TEMP MACRO focus_fault(billed, effective, currency, category, start, provider) AS
    CASE
        WHEN billed = 'null' THEN 'BilledCost is null'
        WHEN billed = 'bad' THEN 'BilledCost is not a number'
        WHEN billed = 'big' THEN 'BilledCost is 10^20 or more in magnitude'
        WHEN effective = 'null' THEN 'EffectiveCost is null'
        WHEN effective = 'bad' THEN 'EffectiveCost is not a number'
        WHEN effective = 'big' THEN 'EffectiveCost is 10^20 or more in magnitude'
        WHEN currency IS NULL THEN 'BillingCurrency is null'
        WHEN currency NOT IN (SELECT code FROM iso_currencies)
            THEN 'BillingCurrency is not an ISO 4217 currency code'
        WHEN category IS NULL THEN 'ChargeCategory is null'
        WHEN category NOT IN ('Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment')
            THEN 'ChargeCategory is not Usage, Purchase, Tax, Credit or Adjustment'
        WHEN start = 'null' THEN 'ChargePeriodStart is null'
        WHEN start = 'bad' THEN 'ChargePeriodStart is not an ISO 8601 date-time'
        WHEN provider IS NULL THEN 'ProviderName is null'
    END;

-- name: focus_rows
-- Each row with its amounts parsed as exact decimals and its charge's UTC day, and the state of
-- each (the other cells as written: they are few distinct values, read once per value below).
CREATE OR REPLACE TEMP VIEW focus_rows AS
WITH read AS (
    SELECT
        *,
        TRY_CAST(BilledCost AS DECIMAL(38, 18)) AS billed,
        TRY_CAST(EffectiveCost AS DECIMAL(38, 18)) AS effective,
        CAST(TRY_CAST(ChargePeriodStart AS TIMESTAMPTZ) AS DATE) AS read_day
    FROM focus_source
),
parsed AS (
    SELECT
        *,
        -- a day of a four-digit year, as ISO 8601 writes it (DuckDB also reads 'infinity',
        -- years before 1 and past 9999, which no charge has and Python's dates cannot hold)
        IF(read_day BETWEEN DATE '0001-01-01' AND DATE '9999-12-31', read_day, NULL) AS charge_day
    FROM read
)
SELECT
    *,
    focus_amount_state(billed, BilledCost) AS billed_state,
    focus_amount_state(effective, EffectiveCost) AS effective_state,
    focus_state(charge_day, ChargePeriodStart) AS start_state
FROM parsed;

-- name: focus_totals
-- One pass over the rows. Per source file: the good rows summed exactly, by provider, invoice
-- issuer, charge day, category, currency and (for Purchase rows) commitment, with how many rows
-- each sum holds and how many of them are corrections; and the rows left out, counted by
-- `fault` (their other columns null). The rows are first summed by their cells as written, then
-- each distinct group is read as FOCUS reads it and judged: the text work is per group, not per
-- row.
WITH written AS (
    SELECT
        source_file,
        billed_state,
        effective_state,
        start_state,
        charge_day,
        BillingCurrency,
        ChargeCategory,
        ChargeClass,
        ProviderName,
        InvoiceIssuerName,
        -- only a Purchase row's commitment is kept, and a Purchase row's category holds the word
        IF(CONTAINS(ChargeCategory, 'Purchase'), CommitmentDiscountId, NULL) AS commitment,
        focus_whole(billed) AS billed,
        focus_part(billed) AS billed_part,
        focus_whole(effective) AS effective,
        focus_part(effective) AS effective_part,
        COUNT(*) AS rows
    FROM focus_rows
    GROUP BY ALL
),
cells AS (
    SELECT
        *,
        UPPER(focus_cell(BillingCurrency)) AS currency,
        focus_cell(ChargeCategory) AS category,
        focus_cell(ProviderName) AS provider
    FROM written
),
judged AS (
    SELECT
        *,
        focus_fault(billed_state, effective_state, currency, category, start_state, provider)
            AS fault
    FROM cells
)
SELECT
    source_file,
    fault,
    IF(fault IS NULL, provider, NULL) AS provider,
    IF(fault IS NULL, focus_cell(InvoiceIssuerName), NULL) AS issuer,
    IF(fault IS NULL, charge_day, NULL) AS charge_day,
    IF(fault IS NULL, category, NULL) AS category,
    IF(fault IS NULL, currency, NULL) AS currency,
    IF(fault IS NULL AND category = 'Purchase', focus_cell(commitment), NULL)
        AS purchase_commitment,
    SUM(billed) FILTER (WHERE fault IS NULL) AS billed,
    SUM(billed_part) FILTER (WHERE fault IS NULL) AS billed_part,
    SUM(effective) FILTER (WHERE fault IS NULL) AS effective,
    SUM(effective_part) FILTER (WHERE fault IS NULL) AS effective_part,
    CAST(SUM(rows) AS BIGINT) AS rows,
    CAST(COALESCE(SUM(rows) FILTER (WHERE focus_cell(ChargeClass) = 'Correction'), 0) AS BIGINT)
        AS corrections
FROM judged
GROUP BY ALL
ORDER BY ALL;

-- name: focus_bad_rows
-- The first excluded rows ($1 of them), with the value that is wrong: a bad cell, or a currency
-- that no recorded FX table converts on the charge's day.
WITH cells AS (
    SELECT
        record,
        charge_day,
        billed_state,
        effective_state,
        start_state,
        UPPER(focus_cell(BillingCurrency)) AS currency,
        focus_cell(ChargeCategory) AS category,
        focus_cell(ProviderName) AS provider,
        BilledCost,
        EffectiveCost,
        ChargePeriodStart
    FROM focus_rows
),
judged AS (
    SELECT
        *,
        COALESCE(
            focus_fault(billed_state, effective_state, currency, category, start_state, provider),
            IF(
                EXISTS (
                    SELECT 1 FROM fx_rates
                    WHERE fx_rates.currency = cells.currency
                        AND cells.charge_day >= fx_rates.valid_from
                        AND cells.charge_day < fx_rates.valid_until
                ),
                NULL,
                'BillingCurrency has no FX rate in spendgate.yaml'
            )
        ) AS judged_fault
    FROM cells
)
SELECT
    record,
    judged_fault,
    CASE SPLIT_PART(judged_fault, ' ', 1)
        WHEN 'BilledCost' THEN focus_cell(BilledCost)
        WHEN 'EffectiveCost' THEN focus_cell(EffectiveCost)
        WHEN 'BillingCurrency' THEN currency
        WHEN 'ChargeCategory' THEN category
        WHEN 'ChargePeriodStart' THEN focus_cell(ChargePeriodStart)
        ELSE provider
    END AS written
FROM judged
WHERE judged_fault IS NOT NULL
ORDER BY record
LIMIT $1;

-- name: focus_rejected_files
-- The files of the CSV scan just run that have lines DuckDB left out.
SELECT DISTINCT reject_scans.file_path
FROM reject_errors JOIN reject_scans USING (scan_id, file_id)
WHERE scan_id = (SELECT MAX(scan_id) FROM reject_scans);

-- name: focus_rejected_lines
-- The lines of the CSV file just scanned that DuckDB could not split into the header's fields
-- (too few, too many, too long, not UTF-8): left out like a bad row, one per line, with the
-- first column DuckDB names (for too few fields, the 0-based index of the first missing one)
-- and where the line starts in the file (DuckDB's line number counts a CRLF line break in a
-- file of LF ones as two; its byte position is the line's first byte or its second).
SELECT
    line,
    MIN(column_idx) AS column_idx,
    MIN(error_type) AS error_type,
    MIN(line_byte_position) AS line_byte_position
FROM reject_errors
WHERE scan_id = (SELECT MAX(scan_id) FROM reject_scans)
GROUP BY line
ORDER BY line;
