-- 0006: nothing on PostgreSQL. The SQLite migration of this number keeps a
-- catalog version for the in-memory listing mirror (src/shop/catalog_mirror.h),
-- which serves SQLite stores only: on PostgreSQL a listing's facets are
-- counted by one statement on the database server, and one counter row
-- would make every catalog writer of every instance wait on the others.
SELECT 1;
