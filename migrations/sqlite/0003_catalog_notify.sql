-- 0003: nothing on SQLite. The PostgreSQL migration of this number makes
-- catalog writes notify other instances; a SQLite store is one process, and
-- its page cache watches PRAGMA data_version instead (db_watch in db.h).
SELECT 1;
