-- Placeholder so that 0006 is contiguous on this branch; the lead renumbers at merge.
SELECT 1;
