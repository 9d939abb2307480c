-- The FOCUS queries of `spendgate report --billing`, one per `-- name:` block.
--
-- They read one view, `focus_source`, which spendgate defines for each billing file as the
-- file's columns (CSV read as text; Parquet as typed) plus `record`, the row's number in its
-- file. Every query runs as well on a warehouse table of FOCUS rows: define `focus_source` over
-- it, and `fx_rates` and `iso_currencies` as below.
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

-- name: focus_rows
-- Each row parsed: amounts as exact decimals, the charge's UTC day, and the first thing wrong
-- with its cells (`fault`, the column it is in, the value written).
CREATE OR REPLACE TEMP VIEW focus_rows AS
WITH cells AS (
    SELECT
        record,
        focus_cell(BilledCost) AS billed_text,
        focus_cell(EffectiveCost) AS effective_text,
        UPPER(focus_cell(BillingCurrency)) AS currency,
        focus_cell(ChargeCategory) AS category,
        focus_cell(ChargeClass) AS charge_class,
        focus_cell(ChargePeriodStart) AS start_text,
        focus_cell(ProviderName) AS provider,
        focus_cell(InvoiceIssuerName) AS issuer,
        focus_cell(CommitmentDiscountId) AS commitment
    FROM focus_source
),
parsed AS (
    SELECT
        *,
        TRY_CAST(billed_text AS DECIMAL(38, 18)) AS billed,
        TRY_CAST(effective_text AS DECIMAL(38, 18)) AS effective,
        CAST(TRY_CAST(start_text AS TIMESTAMPTZ) AS DATE) AS charge_day
    FROM cells
)
SELECT
    parsed.*,
    CASE
        WHEN billed_text IS NULL THEN 'BilledCost is null'
        WHEN billed IS NULL THEN 'BilledCost is not a number'
        WHEN effective_text IS NULL THEN 'EffectiveCost is null'
        WHEN effective IS NULL THEN 'EffectiveCost is not a number'
        WHEN currency IS NULL THEN 'BillingCurrency is null'
        WHEN currency NOT IN (SELECT code FROM iso_currencies)
            THEN 'BillingCurrency is not an ISO 4217 currency code'
        WHEN category IS NULL THEN 'ChargeCategory is null'
        WHEN category NOT IN ('Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment')
            THEN 'ChargeCategory is not Usage, Purchase, Tax, Credit or Adjustment'
        WHEN start_text IS NULL THEN 'ChargePeriodStart is null'
        WHEN charge_day IS NULL THEN 'ChargePeriodStart is not an ISO 8601 date-time'
        WHEN provider IS NULL THEN 'ProviderName is null'
    END AS fault
FROM parsed;

-- name: focus_totals
-- One pass over the rows. The good rows summed exactly, by provider, invoice issuer, charge
-- day, category, currency and (for Purchase rows) commitment, with how many rows each sum holds
-- and how many of them are corrections; and the rows left out, counted by `fault` (their other
-- columns null).
WITH keyed AS (
    SELECT
        fault,
        IF(fault IS NULL, provider, NULL) AS provider,
        IF(fault IS NULL, issuer, NULL) AS issuer,
        IF(fault IS NULL, charge_day, NULL) AS charge_day,
        IF(fault IS NULL, category, NULL) AS category,
        IF(fault IS NULL, currency, NULL) AS currency,
        IF(fault IS NULL AND category = 'Purchase', commitment, NULL) AS purchase_commitment,
        billed,
        effective,
        charge_class = 'Correction' AS correction
    FROM focus_rows
)
SELECT
    fault,
    provider,
    issuer,
    charge_day,
    category,
    currency,
    purchase_commitment,
    SUM(billed) FILTER (WHERE fault IS NULL) AS billed,
    SUM(effective) FILTER (WHERE fault IS NULL) AS effective,
    COUNT(*) AS rows,
    COUNT(*) FILTER (WHERE correction) AS corrections
FROM keyed
GROUP BY ALL
ORDER BY ALL;

-- name: focus_bad_rows
-- The first excluded rows ($1 of them), with the value that is wrong: a bad cell, or a currency
-- that no recorded FX table converts on the charge's day.
WITH judged AS (
    SELECT
        *,
        COALESCE(
            fault,
            IF(
                EXISTS (
                    SELECT 1 FROM fx_rates
                    WHERE fx_rates.currency = focus_rows.currency
                        AND focus_rows.charge_day >= fx_rates.valid_from
                        AND focus_rows.charge_day < fx_rates.valid_until
                ),
                NULL,
                'BillingCurrency has no FX rate in spendgate.yaml'
            )
        ) AS judged_fault
    FROM focus_rows
)
SELECT
    record,
    judged_fault,
    CASE SPLIT_PART(judged_fault, ' ', 1)
        WHEN 'BilledCost' THEN billed_text
        WHEN 'EffectiveCost' THEN effective_text
        WHEN 'BillingCurrency' THEN currency
        WHEN 'ChargeCategory' THEN category
        WHEN 'ChargePeriodStart' THEN start_text
        ELSE provider
    END AS written
FROM judged
WHERE judged_fault IS NOT NULL
ORDER BY record
LIMIT $1;

-- name: focus_rejected_lines
-- The lines of the CSV file just scanned that DuckDB could not split into the header's fields
-- (too few, too many, not UTF-8): left out like a bad row, one per line, with the first column
-- DuckDB names (for too few fields, the 0-based index of the first missing one).
SELECT line, MIN(column_idx) AS column_idx, MIN(error_type) AS error_type
FROM reject_errors
WHERE scan_id = (SELECT MAX(scan_id) FROM reject_scans)
GROUP BY line
ORDER BY line;
