/* sqlite_map.c - one memory map per database file, shared by every SQLite
 * connection of the process (see sqlite_map.h for why).
 *
 * Safety rests on what SQLite already guarantees its own per-connection maps:
 * the pager only fetches a page that its read snapshot says is in the file
 * (pages newer than the file are read from the WAL), and the file only
 * shrinks at a checkpoint that no reader needs the tail of. A shared
 * MAP_SHARED mapping shows the same bytes a private one would, since both
 * are views of the kernel's page cache. Reserving SQLITE_MAP_MAX of address
 * space up front means the map never moves, so a page handed to one
 * connection stays valid while another sees the file grow. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "db/sqlite_map.h"

typedef struct map {
    struct map *next;
    dev_t dev;
    ino_t ino;
    int fd;              /* open as long as the entry: see map_get */
    unsigned char *base; /* len bytes, PROT_READ, MAP_SHARED; NULL if mmap failed */
    size_t len;
    _Atomic sqlite3_int64 size; /* bytes of the file known to exist */
    int refs;                   /* open files using it; under maps_lock */
} map_t;

/* A main database file: this header, then the default VFS's file. Every
 * other file (WAL, journals) is the default VFS's file itself, at offset 0,
 * with its own methods. */
typedef struct {
    sqlite3_file base;
    map_t *map;
    sqlite3_file *real;
} map_file_t;

static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;
static map_t *maps;
static size_t map_reserve = SQLITE_MAP_MAX; /* under maps_lock */
static sqlite3_vfs map_vfs;
static const sqlite3_io_methods map_io;
static pthread_once_t map_once = PTHREAD_ONCE_INIT;
static bool map_ok;

static sqlite3_vfs *real_vfs(void)
{
    return map_vfs.pAppData;
}

/* The map of the file at path, made on first use; NULL if the file cannot
 * be opened again. A failed mmap still gives an entry, with base NULL, so
 * that the descriptor's lifetime rule below holds for every connection.
 *
 * The descriptor behind a map stays open until the last connection to the
 * file closes: closing any descriptor of a file drops every POSIX lock the
 * process holds on it (fcntl(2)), and those locks are how SQLite tells other
 * processes that this one is reading. The unix VFS defers its own closes for
 * the same reason. Hence also the stat before the open: a file already
 * mapped is found without opening it again. */
static map_t *map_get(const char *path)
{
    struct stat st;
    map_t *m = NULL;
    pthread_mutex_lock(&maps_lock);
    if (stat(path, &st) == 0)
        for (m = maps; m; m = m->next)
            if (m->dev == st.st_dev && m->ino == st.st_ino)
                break;
    if (m) {
        m->refs++;
        goto out;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        log_error("sqlite: cannot open %s to map it: %s", path, strerror(errno));
        /* Only a descriptor that fstat refused: nothing is known to lock it. */
        if (fd >= 0)
            close(fd);
        goto out;
    }
    for (m = maps; m; m = m->next)
        if (m->dev == st.st_dev && m->ino == st.st_ino)
            break;
    if (m) {
        /* The file was replaced between the stat and the open; not closing
         * fd keeps the locks (see above), at the price of one descriptor. */
        log_warn("sqlite: %s changed while it was opened", path);
        m->refs++;
        goto out;
    }
    m = xcalloc(1, sizeof(*m));
    m->dev = st.st_dev;
    m->ino = st.st_ino;
    m->fd = fd;
    m->len = map_reserve;
    void *p = mmap(NULL, m->len, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        log_warn("sqlite: cannot map %s (%s): each connection maps it", path, strerror(errno));
    else
        m->base = p;
    atomic_init(&m->size, (sqlite3_int64)st.st_size);
    m->refs = 1;
    m->next = maps;
    maps = m;
out:
    pthread_mutex_unlock(&maps_lock);
    return m;
}

static void map_put(map_t *m)
{
    pthread_mutex_lock(&maps_lock);
    if (--m->refs == 0) {
        for (map_t **pp = &maps; *pp; pp = &(*pp)->next)
            if (*pp == m) {
                *pp = m->next;
                break;
            }
        if (m->base)
            munmap(m->base, m->len);
        /* No connection of this process has the file open any more, so no
         * lock of SQLite's can be dropped by this close. */
        close(m->fd);
        free(m);
    }
    pthread_mutex_unlock(&maps_lock);
}

void sqlite_map_set_reserve(size_t bytes)
{
    pthread_mutex_lock(&maps_lock);
    map_reserve = bytes ? bytes : SQLITE_MAP_MAX;
    pthread_mutex_unlock(&maps_lock);
}

size_t sqlite_map_count(void)
{
    size_t n = 0;
    pthread_mutex_lock(&maps_lock);
    for (map_t *m = maps; m; m = m->next)
        n += m->base != NULL;
    pthread_mutex_unlock(&maps_lock);
    return n;
}

/* ---- the io methods of a mapped main database file ---- */

static sqlite3_file *real(sqlite3_file *f)
{
    return ((map_file_t *)f)->real;
}

static int mf_close(sqlite3_file *f)
{
    map_file_t *mf = (map_file_t *)f;
    int rc = mf->real->pMethods->xClose(mf->real);
    map_put(mf->map);
    return rc;
}

static int mf_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return real(f)->pMethods->xRead(real(f), buf, n, off);
}

static int mf_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    return real(f)->pMethods->xWrite(real(f), buf, n, off);
}

static int mf_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    map_file_t *mf = (map_file_t *)f;
    int rc = mf->real->pMethods->xTruncate(mf->real, size);
    if (rc == SQLITE_OK)
        atomic_store(&mf->map->size, size);
    return rc;
}

static int mf_sync(sqlite3_file *f, int flags)
{
    return real(f)->pMethods->xSync(real(f), flags);
}

static int mf_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return real(f)->pMethods->xFileSize(real(f), size);
}

static int mf_lock(sqlite3_file *f, int level)
{
    return real(f)->pMethods->xLock(real(f), level);
}

static int mf_unlock(sqlite3_file *f, int level)
{
    return real(f)->pMethods->xUnlock(real(f), level);
}

static int mf_check_reserved(sqlite3_file *f, int *out)
{
    return real(f)->pMethods->xCheckReservedLock(real(f), out);
}

static int mf_file_control(sqlite3_file *f, int op, void *arg)
{
    return real(f)->pMethods->xFileControl(real(f), op, arg);
}

static int mf_sector_size(sqlite3_file *f)
{
    return real(f)->pMethods->xSectorSize(real(f));
}

static int mf_device_chars(sqlite3_file *f)
{
    return real(f)->pMethods->xDeviceCharacteristics(real(f));
}

static int mf_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **pp)
{
    return real(f)->pMethods->xShmMap(real(f), region, size, extend, pp);
}

static int mf_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}

static void mf_shm_barrier(sqlite3_file *f)
{
    real(f)->pMethods->xShmBarrier(real(f));
}

static int mf_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return real(f)->pMethods->xShmUnmap(real(f), delete_flag);
}

/* The file's size as the file system has it now. */
static sqlite3_int64 mf_refresh(map_file_t *mf)
{
    sqlite3_int64 size = 0;
    if (mf->real->pMethods->xFileSize(mf->real, &size) != SQLITE_OK)
        return atomic_load_explicit(&mf->map->size, memory_order_relaxed);
    atomic_store(&mf->map->size, size);
    return size;
}

/* A page straight from the shared map. *pp NULL (still SQLITE_OK) asks the
 * pager to read the page with xRead instead: past the reservation, or past the
 * end of the file. */
static int mf_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    map_file_t *mf = (map_file_t *)f;
    if (!mf->map->base)
        return mf->real->pMethods->xFetch(mf->real, off, n, pp);
    *pp = NULL;
    if (off < 0 || n <= 0 || (uint64_t)off + (uint64_t)n > mf->map->len)
        return SQLITE_OK;
    sqlite3_int64 end = off + n;
    if (end > atomic_load_explicit(&mf->map->size, memory_order_relaxed) && end > mf_refresh(mf))
        return SQLITE_OK;
    *pp = mf->map->base + off;
    return SQLITE_OK;
}

/* Releasing one page needs nothing: the map lives as long as the file is
 * open. p NULL is the pager saying the file may have changed size (a new
 * snapshot); the unix VFS remaps then, and we read the size again. */
static int mf_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    map_file_t *mf = (map_file_t *)f;
    if (!mf->map->base)
        return mf->real->pMethods->xUnfetch(mf->real, off, p);
    if (!p)
        mf_refresh(mf);
    return SQLITE_OK;
}

static const sqlite3_io_methods map_io = {
    .iVersion = 3,
    .xClose = mf_close,
    .xRead = mf_read,
    .xWrite = mf_write,
    .xTruncate = mf_truncate,
    .xSync = mf_sync,
    .xFileSize = mf_file_size,
    .xLock = mf_lock,
    .xUnlock = mf_unlock,
    .xCheckReservedLock = mf_check_reserved,
    .xFileControl = mf_file_control,
    .xSectorSize = mf_sector_size,
    .xDeviceCharacteristics = mf_device_chars,
    .xShmMap = mf_shm_map,
    .xShmLock = mf_shm_lock,
    .xShmBarrier = mf_shm_barrier,
    .xShmUnmap = mf_shm_unmap,
    .xFetch = mf_fetch,
    .xUnfetch = mf_unfetch,
};

/* ---- the VFS: xOpen is ours, the rest forwards to the default VFS ---- */

static int mv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    sqlite3_vfs *rv = real_vfs();
    if (!name || !(flags & SQLITE_OPEN_MAIN_DB))
        return rv->xOpen(rv, name, f, flags, out_flags);
    map_file_t *mf = (map_file_t *)f;
    memset(mf, 0, sizeof(*mf));
    mf->real = (sqlite3_file *)(mf + 1);
    int rc = rv->xOpen(rv, name, mf->real, flags, out_flags);
    if (rc != SQLITE_OK || !mf->real->pMethods) {
        /* SQLite calls xClose after a failed xOpen only if pMethods is set. */
        if (mf->real->pMethods)
            mf->real->pMethods->xClose(mf->real);
        mf->base.pMethods = NULL;
        return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
    }
    mf->map = map_get(name);
    if (!mf->map) {
        mf->real->pMethods->xClose(mf->real);
        mf->base.pMethods = NULL;
        return SQLITE_CANTOPEN;
    }
    mf->base.pMethods = &map_io;
    return SQLITE_OK;
}

static int mv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    return real_vfs()->xDelete(real_vfs(), name, sync_dir);
}

static int mv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return real_vfs()->xAccess(real_vfs(), name, flags, out);
}

static int mv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return real_vfs()->xFullPathname(real_vfs(), name, n, out);
}

static void *mv_dl_open(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return real_vfs()->xDlOpen(real_vfs(), name);
}

static void mv_dl_error(sqlite3_vfs *vfs, int n, char *msg)
{
    (void)vfs;
    real_vfs()->xDlError(real_vfs(), n, msg);
}

static void (*mv_dl_sym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return real_vfs()->xDlSym(real_vfs(), h, sym);
}

static void mv_dl_close(sqlite3_vfs *vfs, void *h)
{
    (void)vfs;
    real_vfs()->xDlClose(real_vfs(), h);
}

static int mv_randomness(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs()->xRandomness(real_vfs(), n, out);
}

static int mv_sleep(sqlite3_vfs *vfs, int us)
{
    (void)vfs;
    return real_vfs()->xSleep(real_vfs(), us);
}

static int mv_current_time(sqlite3_vfs *vfs, double *out)
{
    (void)vfs;
    return real_vfs()->xCurrentTime(real_vfs(), out);
}

static int mv_last_error(sqlite3_vfs *vfs, int n, char *out)
{
    (void)vfs;
    return real_vfs()->xGetLastError(real_vfs(), n, out);
}

static int mv_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return real_vfs()->xCurrentTimeInt64(real_vfs(), out);
}

static void map_register(void)
{
    sqlite3_vfs *rv = sqlite3_vfs_find(NULL);
    if (!rv || rv->iVersion < 2 || !rv->xCurrentTimeInt64)
        return;
    map_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(map_file_t) + rv->szOsFile,
        .mxPathname = rv->mxPathname,
        .zName = "souk-map",
        .pAppData = rv,
        .xOpen = mv_open,
        .xDelete = mv_delete,
        .xAccess = mv_access,
        .xFullPathname = mv_full_pathname,
        .xDlOpen = mv_dl_open,
        .xDlError = mv_dl_error,
        .xDlSym = mv_dl_sym,
        .xDlClose = mv_dl_close,
        .xRandomness = mv_randomness,
        .xSleep = mv_sleep,
        .xCurrentTime = mv_current_time,
        .xGetLastError = mv_last_error,
        .xCurrentTimeInt64 = mv_current_time64,
    };
    map_ok = sqlite3_vfs_register(&map_vfs, 0) == SQLITE_OK;
}

const char *sqlite_map_vfs(void)
{
    pthread_once(&map_once, map_register);
    return map_ok ? map_vfs.zName : NULL;
}
