-- A stock-take's 盘盈 entered on the register names the asset it became;
-- a photo sent with a stock-take's 缺失/损坏 mark names that mark (its
-- stock-take and asset) until the close makes it a report's photo.
ALTER TABLE stocktake_extras ADD COLUMN asset_id bigint REFERENCES assets (id);
ALTER TABLE received_files ADD COLUMN stocktake_id bigint REFERENCES stocktakes (id);
ALTER TABLE received_files ADD COLUMN stocktake_asset_id bigint REFERENCES assets (id);
CREATE INDEX received_files_stocktake ON received_files (stocktake_id, stocktake_asset_id) WHERE stocktake_id IS NOT NULL;
