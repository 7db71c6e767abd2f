/* test_atomic.c — crash-safe whole-file writes, bounded reads, the data dir.
 *
 * Each case runs in a fresh mkdtemp directory (under $TMPDIR or /tmp) that
 * is removed afterwards. The last case forks a writer and SIGKILLs it at
 * random moments: that proves the file is never torn by a process crash
 * (the rename is atomic and a stale temp is recovered from); surviving a
 * power cut rests on the fsyncs, which no unit test can observe. */
#include "core/atomic.h"
#include "tests/unit/check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char scratch[PATH_MAX];

static void scratch_make(void)
{
	const char *base = getenv("TMPDIR");
	int n = snprintf(scratch, sizeof scratch, "%s/ferry-atomic-XXXXXX",
	                 base && *base ? base : "/tmp");
	if (n < 0 || (size_t)n >= sizeof scratch || !mkdtemp(scratch)) {
		perror("mkdtemp");
		exit(1);
	}
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void scratch_remove(void)
{
	if (nftw(scratch, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		perror("nftw");
}

/* scratch/rel, in a static buffer (one at a time). */
static const char *at(const char *rel)
{
	static char path[PATH_MAX];
	int n = snprintf(path, sizeof path, "%s/%s", scratch, rel);
	if (n < 0 || (size_t)n >= sizeof path)
		abort();
	return path;
}

static void file_put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || close(fd) != 0) {
		perror(path);
		exit(1);
	}
}

/* 1 if scratch/name holds exactly text. */
static int file_is(const char *name, const char *text)
{
	char buf[4096];
	size_t len = 0;
	return atomic_read(scratch, name, buf, sizeof buf, &len) == 0 && len == strlen(text) &&
	       memcmp(buf, text, len) == 0;
}

static int exists(const char *rel)
{
	struct stat st;
	return lstat(at(rel), &st) == 0;
}

static int mode_of(const char *rel)
{
	struct stat st;
	return lstat(at(rel), &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static int entries_in(const char *path)
{
	DIR *d = opendir(path);
	int n = 0;
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void test_write_read(void)
{
	char buf[64];
	size_t len = 99;

	scratch_make();
	CHECK_EQ_LL(atomic_write(scratch, "state", "hello", 5, 0600), 0);
	CHECK_EQ_LL(atomic_read(scratch, "state", buf, sizeof buf, &len), 0);
	CHECK_EQ_LL(len, 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ_LL(mode_of("state"), 0600);
	CHECK(!exists("state" ATOMIC_TMP_SUFFIX));
	CHECK_EQ_LL(entries_in(scratch), 1);

	/* Overwrite with something shorter: only the new bytes remain. */
	CHECK_EQ_LL(atomic_write(scratch, "state", "a much longer first version", 27, 0600), 0);
	CHECK_EQ_LL(atomic_write(scratch, "state", "v2", 2, 0600), 0);
	CHECK(file_is("state", "v2"));
	CHECK(!exists("state" ATOMIC_TMP_SUFFIX));

	/* Empty contents, data NULL. */
	CHECK_EQ_LL(atomic_write(scratch, "empty", NULL, 0, 0600), 0);
	len = 99;
	CHECK_EQ_LL(atomic_read(scratch, "empty", NULL, 0, &len), 0);
	CHECK_EQ_LL(len, 0);

	/* Binary data with NULs survives. */
	static const unsigned char bin[] = {0, 1, 0, 255, 0};
	CHECK_EQ_LL(atomic_write(scratch, "bin", bin, sizeof bin, 0600), 0);
	CHECK_EQ_LL(atomic_read(scratch, "bin", buf, sizeof buf, &len), 0);
	CHECK(len == sizeof bin && memcmp(buf, bin, sizeof bin) == 0);
	scratch_remove();
}

static void test_modes(void)
{
	static const struct {
		mode_t umask, mode;
	} cases[] = {
	    {0, 0600}, {077, 0600}, {0, 0644}, {077, 0640}, {0277, 0600}, {0, 0400}, {022, 0666},
	};
	mode_t old = umask(0);

	scratch_make();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		umask(cases[i].umask);
		/* Twice: creation, then replacement of an existing file. */
		for (int round = 0; round < 2; round++) {
			int r = atomic_write(scratch, "m", "x", 1, cases[i].mode);
			CHECKF(r == 0, "umask %03o mode %03o: %d", (unsigned)cases[i].umask,
			       (unsigned)cases[i].mode, r);
			int got = mode_of("m");
			CHECKF(got == (int)cases[i].mode, "umask %03o: asked %03o, got %03o",
			       (unsigned)cases[i].umask, (unsigned)cases[i].mode, (unsigned)got);
		}
	}
	umask(old);
	scratch_remove();
}

static void test_stale_tmp(void)
{
	scratch_make();
	CHECK_EQ_LL(atomic_write(scratch, "state", "old", 3, 0600), 0);

	/* A temp left by a crash: longer than the new contents, wrong mode. */
	file_put(at("state" ATOMIC_TMP_SUFFIX), "half-written leftovers of a crashed write");
	chmod(at("state" ATOMIC_TMP_SUFFIX), 0666);
	CHECK(file_is("state", "old")); /* readers never see the temp */
	CHECK_EQ_LL(atomic_write(scratch, "state", "new", 3, 0600), 0);
	CHECK(file_is("state", "new"));
	CHECK_EQ_LL(mode_of("state"), 0600);
	CHECK(!exists("state" ATOMIC_TMP_SUFFIX));

	/* A symbolic link at the temp name is removed, not written through. */
	file_put(at("victim"), "untouched");
	CHECK_EQ_LL(symlink("victim", at("state" ATOMIC_TMP_SUFFIX)), 0);
	CHECK_EQ_LL(atomic_write(scratch, "state", "newer", 5, 0600), 0);
	CHECK(file_is("state", "newer"));
	CHECK(file_is("victim", "untouched"));
	CHECK(!exists("state" ATOMIC_TMP_SUFFIX));

	/* A directory at the temp name cannot be cleared: the write fails and
	 * the old file stays. */
	CHECK_EQ_LL(mkdir(at("state" ATOMIC_TMP_SUFFIX), 0700), 0);
	file_put(at("state" ATOMIC_TMP_SUFFIX "/inner"), "x");
	errno = 0;
	CHECK_EQ_LL(atomic_write(scratch, "state", "lost", 4, 0600), ATOMIC_ERR_TYPE);
	CHECK(errno != 0);
	CHECK(file_is("state", "newer"));
	CHECK(exists("state" ATOMIC_TMP_SUFFIX "/inner"));
	scratch_remove();
}

static void test_write_failures(void)
{
	scratch_make();

	/* Missing directory: an error, and nothing created anywhere. */
	errno = 0;
	CHECK_EQ_LL(atomic_write(at("missing"), "state", "x", 1, 0600), ATOMIC_ERR_MISSING);
	CHECK_EQ_LL(errno, ENOENT);
	CHECK_EQ_LL(entries_in(scratch), 0);

	/* dir is a file. */
	file_put(at("plain"), "p");
	CHECK_EQ_LL(atomic_write(at("plain"), "state", "x", 1, 0600), ATOMIC_ERR_TYPE);
	CHECK_EQ_LL(errno, ENOTDIR);

	/* The rename cannot happen: name is a non-empty directory. The temp is
	 * removed and the directory is as it was. */
	CHECK_EQ_LL(mkdir(at("state"), 0700), 0);
	file_put(at("state/inner"), "keep");
	errno = 0;
	CHECK_EQ_LL(atomic_write(scratch, "state", "x", 1, 0600), ATOMIC_ERR_TYPE);
	CHECK(errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST);
	CHECK(!exists("state" ATOMIC_TMP_SUFFIX));
	CHECK_EQ_LL(entries_in(at("state")), 1);
	CHECK_EQ_LL(entries_in(scratch), 2); /* plain, state */

	/* Unusable names, refused before touching the disk. */
	char longest[NAME_MAX + 2];
	memset(longest, 'n', sizeof longest);
	longest[NAME_MAX - 3] = '\0'; /* NAME_MAX - 3 bytes: NAME.tmp would not fit */
	static const char *bad_names[] = {"", ".", "..", "a/b", "/abs", "dir/", NULL};
	bad_names[6] = longest;
	for (size_t i = 0; i < sizeof bad_names / sizeof bad_names[0]; i++) {
		char buf[8];
		size_t len = 0;
		errno = 0;
		CHECKF(atomic_write(scratch, bad_names[i], "x", 1, 0600) == ATOMIC_ERR_PATH,
		       "write name \"%.20s\"", bad_names[i]);
		CHECK(errno == EINVAL || errno == ENAMETOOLONG);
		CHECKF(atomic_read(scratch, bad_names[i], buf, sizeof buf, &len) == ATOMIC_ERR_PATH,
		       "read name \"%.20s\"", bad_names[i]);
	}
	CHECK_EQ_LL(atomic_write("", "state", "x", 1, 0600), ATOMIC_ERR_PATH);
	CHECK_EQ_LL(entries_in(scratch), 2);

	/* The longest name that fits is accepted. */
	longest[NAME_MAX - 4] = '\0';
	CHECK_EQ_LL(atomic_write(scratch, longest, "x", 1, 0600), 0);
	CHECK(file_is(longest, "x"));

	/* A directory path longer than PATH_MAX is an error, not a truncation. */
	static char deep[PATH_MAX + 64];
	memset(deep, 'd', sizeof deep - 1);
	deep[sizeof deep - 1] = '\0';
	CHECK_EQ_LL(atomic_write(deep, "state", "x", 1, 0600), ATOMIC_ERR_PATH);
	scratch_remove();
}

static void test_read(void)
{
	char buf[16], sentinel = 0;
	size_t len = 12345;

	scratch_make();
	errno = 0;
	CHECK_EQ_LL(atomic_read(scratch, "nothing", buf, sizeof buf, &len), ATOMIC_ERR_MISSING);
	CHECK_EQ_LL(errno, ENOENT);
	CHECK_EQ_LL(atomic_read(at("nodir"), "nothing", buf, sizeof buf, &len), ATOMIC_ERR_MISSING);
	CHECK_EQ_LL(len, 12345); /* untouched on failure */

	CHECK_EQ_LL(atomic_write(scratch, "ten", "0123456789", 10, 0600), 0);
	/* Exactly cap bytes: fine. */
	CHECK_EQ_LL(atomic_read(scratch, "ten", buf, 10, &len), 0);
	CHECK_EQ_LL(len, 10);
	CHECK(memcmp(buf, "0123456789", 10) == 0);
	/* One byte too many, and far too many: refused, file untouched. */
	len = 12345;
	errno = 0;
	CHECK_EQ_LL(atomic_read(scratch, "ten", buf, 9, &len), ATOMIC_ERR_TOO_LARGE);
	CHECK_EQ_LL(errno, EFBIG);
	CHECK_EQ_LL(atomic_read(scratch, "ten", &sentinel, 0, &len), ATOMIC_ERR_TOO_LARGE);
	CHECK_EQ_LL(atomic_read(scratch, "ten", NULL, 0, &len), ATOMIC_ERR_TOO_LARGE);
	CHECK_EQ_LL(len, 12345);
	CHECK(file_is("ten", "0123456789"));

	/* Not regular files: a directory, and a FIFO (must not block). */
	CHECK_EQ_LL(mkdir(at("sub"), 0700), 0);
	CHECK_EQ_LL(atomic_read(scratch, "sub", buf, sizeof buf, &len), ATOMIC_ERR_TYPE);
	CHECK_EQ_LL(mkfifo(at("fifo"), 0600), 0);
	CHECK_EQ_LL(atomic_read(scratch, "fifo", buf, sizeof buf, &len), ATOMIC_ERR_TYPE);
	CHECK_EQ_LL(len, 12345);
	scratch_remove();
}

static void test_dir_ensure(void)
{
	static const mode_t umasks[] = {0, 022, 077, 0277};
	mode_t old = umask(0);
	int others = -1;

	scratch_make();
	for (size_t i = 0; i < sizeof umasks / sizeof umasks[0]; i++) {
		char name[16];
		snprintf(name, sizeof name, "data%zu", i);
		umask(umasks[i]);
		others = -1;
		CHECKF(atomic_dir_ensure(at(name), &others) == ATOMIC_DIR_CREATED, "umask %03o",
		       (unsigned)umasks[i]);
		CHECKF(mode_of(name) == 0700, "umask %03o: mode %03o", (unsigned)umasks[i],
		       (unsigned)mode_of(name));
		CHECK_EQ_LL(others, 0);
		umask(old);
		/* Second call: exists, not recreated. */
		others = -1;
		CHECK_EQ_LL(atomic_dir_ensure(at(name), &others), ATOMIC_DIR_EXISTED);
		CHECK_EQ_LL(others, 0);
	}

	/* Existing and open to others: reported, mode left alone. */
	static const mode_t loose[] = {0755, 0750, 0701, 0770, 0777};
	for (size_t i = 0; i < sizeof loose / sizeof loose[0]; i++) {
		CHECK_EQ_LL(mkdir(at("loose"), 0700), 0);
		CHECK_EQ_LL(chmod(at("loose"), loose[i]), 0);
		others = -1;
		CHECK_EQ_LL(atomic_dir_ensure(at("loose"), &others), ATOMIC_DIR_EXISTED);
		CHECKF(others == 1, "mode %03o not reported", (unsigned)loose[i]);
		CHECK_EQ_LL(mode_of("loose"), loose[i]);
		CHECK_EQ_LL(rmdir(at("loose")), 0);
	}
	/* others_access may be NULL. */
	CHECK_EQ_LL(atomic_dir_ensure(at("data0"), NULL), ATOMIC_DIR_EXISTED);

	/* A symbolic link to a directory is that directory. */
	CHECK_EQ_LL(symlink("data0", at("link")), 0);
	CHECK_EQ_LL(atomic_dir_ensure(at("link"), &others), ATOMIC_DIR_EXISTED);

	/* Errors: a file there, a missing parent (not recursive), empty path. */
	file_put(at("file"), "f");
	errno = 0;
	CHECK_EQ_LL(atomic_dir_ensure(at("file"), &others), ATOMIC_ERR_TYPE);
	CHECK_EQ_LL(errno, ENOTDIR);
	CHECK(file_is("file", "f"));
	CHECK_EQ_LL(atomic_dir_ensure(at("no/such"), &others), ATOMIC_ERR_MISSING);
	CHECK(!exists("no"));
	CHECK_EQ_LL(atomic_dir_ensure("", &others), ATOMIC_ERR_PATH);
	scratch_remove();
}

static void test_strerror(void)
{
	static const int codes[] = {0,
	                            ATOMIC_DIR_CREATED,
	                            ATOMIC_ERR_IO,
	                            ATOMIC_ERR_PATH,
	                            ATOMIC_ERR_MISSING,
	                            ATOMIC_ERR_TOO_LARGE,
	                            ATOMIC_ERR_TYPE,
	                            ATOMIC_ERR_DIR_SYNC};
	const char *unknown = atomic_strerror(-999);
	CHECK(unknown != NULL);
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		const char *s = atomic_strerror(codes[i]);
		CHECK(s != NULL && *s && strcmp(s, unknown) != 0);
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(s, atomic_strerror(codes[j])) != 0);
	}
}

/* ---- crash test ------------------------------------------------------------ */

#define CRASH_SIZE  (256 * 1024)
#define CRASH_KILLS 48

static unsigned char crash_a[CRASH_SIZE], crash_b[CRASH_SIZE], crash_buf[CRASH_SIZE + 1];

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Child: write B, A, B, A… until killed, telling the parent through
 * `done_fd` each time a write has completed. alarm() ends it should the
 * parent die first. */
static void crash_child(int done_fd)
{
	alarm(60);
	fcntl(done_fd, F_SETFL, O_NONBLOCK); /* never block on a full pipe */
	for (unsigned i = 0;; i++) {
		const unsigned char *data = i % 2 ? crash_a : crash_b;
		if (atomic_write(scratch, "state", data, CRASH_SIZE, 0600) != 0)
			_exit(2);
		if (write(done_fd, "w", 1) < 0 && errno != EAGAIN)
			_exit(3);
	}
}

static void test_crash(void)
{
	/* Contents that differ everywhere, so a file spliced from both, cut
	 * short or padded is caught by length or by bytes. */
	for (size_t i = 0; i < CRASH_SIZE; i++) {
		crash_a[i] = (unsigned char)(i * 7 + 1);
		crash_b[i] = (unsigned char)~crash_a[i];
	}
	scratch_make();
	long long t0 = now_us();
	CHECK_EQ_LL(atomic_write(scratch, "state", crash_a, CRASH_SIZE, 0600), 0);
	/* Kill within about two writes' time after the child's first write
	 * completes, so kills land at every stage of a write. */
	long long window = 2 * (now_us() - t0) + 1000;
	unsigned seed = (unsigned)(now_us() ^ getpid());
	srand(seed);

	int torn = 0, saw_a = 0, saw_b = 0, mid_write = 0, not_killed = 0;
	for (int k = 0; k < CRASH_KILLS; k++) {
		int done[2];
		if (pipe(done) != 0) {
			perror("pipe");
			CHECK(0);
			break;
		}
		fflush(NULL);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			CHECK(0);
			break;
		}
		if (pid == 0) {
			close(done[0]);
			crash_child(done[1]);
		}
		close(done[1]);
		/* Wait for the first completed write, so that however loaded the
		 * machine, every round kills a writer that is really writing. */
		char c;
		while (read(done[0], &c, 1) < 0 && errno == EINTR)
			;
		usleep((useconds_t)(rand() % window));
		kill(pid, SIGKILL);
		int status = 0;
		waitpid(pid, &status, 0);
		close(done[0]); /* only now: an earlier close would SIGPIPE the writer */
		not_killed += !(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		mid_write += exists("state" ATOMIC_TMP_SUFFIX);

		size_t len = 0;
		int r = atomic_read(scratch, "state", crash_buf, sizeof crash_buf, &len);
		if (r == 0 && len == CRASH_SIZE && memcmp(crash_buf, crash_a, len) == 0)
			saw_a++;
		else if (r == 0 && len == CRASH_SIZE && memcmp(crash_buf, crash_b, len) == 0)
			saw_b++;
		else
			torn++;
	}
	CHECKF(torn == 0, "%d of %d kills left a torn file (seed %u)", torn, CRASH_KILLS, seed);
	CHECKF(not_killed == 0, "%d writers ended before the kill", not_killed);
	/* The test must have exercised something: kills in the middle of a
	 * write (a temp was left behind; the writer spends nearly all its time
	 * between creating the temp and renaming it, so nearly every kill does
	 * this). Every round waited for a completed write, so B was written. */
	CHECKF(mid_write > 0, "no kill landed mid-write (window %lld us)", window);
	printf("crash test: %d kills, %d mid-write, final contents A %d / B %d, window %lld us\n",
	       CRASH_KILLS, mid_write, saw_a, saw_b, window);

	/* After the last kill, a stale temp may remain: the next write copes. */
	CHECK_EQ_LL(atomic_write(scratch, "state", "done", 4, 0600), 0);
	CHECK(file_is("state", "done"));
	CHECK(!exists("state" ATOMIC_TMP_SUFFIX));
	scratch_remove();
}

int main(void)
{
	test_write_read();
	test_modes();
	test_stale_tmp();
	test_write_failures();
	test_read();
	test_dir_ensure();
	test_strerror();
	test_crash();
	return check_exit("test_atomic");
}
