/* atomic.c — see atomic.h.
 *
 * Every step of atomic_write() is there for a crash or a failure:
 *   - the temp file is created fresh (unlink, then O_EXCL): a stale temp of
 *     any owner or mode is gone, and a symbolic link planted at NAME.tmp is
 *     removed rather than followed;
 *   - fchmod sets the exact mode, which open()'s mode (filtered by the umask)
 *     cannot promise;
 *   - fsync of the file before the rename, or a power cut could leave the new
 *     name pointing at a file whose blocks were never written;
 *   - fsync of the directory after the rename, or the rename itself could be
 *     lost and the old contents come back after the success was reported.
 * The descriptor of the directory is opened first, so a missing directory
 * fails before anything is created, and all operations address one and the
 * same directory even if its path changes meanwhile. */
#include "core/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h> /* renameat */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* write(2) of at most this much per call, well inside ssize_t. */
#define ATOMIC_WRITE_STEP ((size_t)1 << 30)

/* The code for the errno just set by a failed system call. */
static int atomic_err_from_errno(void)
{
	switch (errno) {
	case ENOENT: return ATOMIC_ERR_MISSING;
	case ENAMETOOLONG: return ATOMIC_ERR_PATH;
	case ENOTDIR:
	case EISDIR: return ATOMIC_ERR_TYPE;
	default: return ATOMIC_ERR_IO;
	}
}

/* Check that name is one path component and write name + suffix, NUL
 * included, into out[cap]. 0 or ATOMIC_ERR_PATH (errno set). */
static int atomic_name_build(char *out, size_t cap, const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n == 0 || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		errno = EINVAL;
		return ATOMIC_ERR_PATH;
	}
	/* The temp name must fit too, whatever the suffix of this call. */
	if (n + strlen(ATOMIC_TMP_SUFFIX) > NAME_MAX || n + s + 1 > cap) {
		errno = ENAMETOOLONG;
		return ATOMIC_ERR_PATH;
	}
	memcpy(out, name, n);
	memcpy(out + n, suffix, s + 1);
	return 0;
}

/* A descriptor of dir, or a negative code. */
static int atomic_dir_open(const char *dir)
{
	if (dir[0] == '\0') {
		errno = EINVAL;
		return ATOMIC_ERR_PATH;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? atomic_err_from_errno() : fd;
}

/* close(fd) and unlinkat(dfd, tmp) after a failure, keeping its errno. */
static void atomic_tmp_discard(int dfd, const char *tmp, int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	unlinkat(dfd, tmp, 0);
	errno = saved;
}

/* Write all of data[0..n) to fd, through short writes and EINTR. */
static int atomic_fd_write_all(int fd, const unsigned char *data, size_t n)
{
	while (n > 0) {
		ssize_t done = write(fd, data, n < ATOMIC_WRITE_STEP ? n : ATOMIC_WRITE_STEP);
		if (done < 0) {
			if (errno == EINTR)
				continue;
			return ATOMIC_ERR_IO;
		}
		if (done == 0) { /* not expected from a regular file; never spin */
			errno = EIO;
			return ATOMIC_ERR_IO;
		}
		data += done;
		n -= (size_t)done;
	}
	return 0;
}

/* Create dfd/tmp afresh with data[0..n) and mode, on stable storage and
 * closed. On failure, nothing is left at dfd/tmp. */
static int atomic_tmp_create(int dfd, const char *tmp, const void *data, size_t n, mode_t mode)
{
	if (unlinkat(dfd, tmp, 0) != 0 && errno != ENOENT)
		return atomic_err_from_errno(); /* e.g. a directory sits there */

	int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
	if (fd < 0)
		return atomic_err_from_errno();
	if (fchmod(fd, mode & 07777) != 0 || atomic_fd_write_all(fd, data, n) != 0 ||
	    fsync(fd) != 0) {
		int r = atomic_err_from_errno();
		atomic_tmp_discard(dfd, tmp, fd);
		return r;
	}
	/* On Linux the descriptor is released even when close reports EINTR,
	 * and the data is already on disk; any other error is a real one. */
	if (close(fd) != 0 && errno != EINTR) {
		int r = atomic_err_from_errno();
		atomic_tmp_discard(dfd, tmp, -1);
		return r;
	}
	return 0;
}

int atomic_write(const char *dir, const char *name, const void *data, size_t n, mode_t mode)
{
	char tmp[NAME_MAX + 1];
	int r = atomic_name_build(tmp, sizeof tmp, name, ATOMIC_TMP_SUFFIX);
	if (r < 0)
		return r;
	int dfd = atomic_dir_open(dir);
	if (dfd < 0)
		return dfd;

	r = atomic_tmp_create(dfd, tmp, data, n, mode);
	if (r == 0 && renameat(dfd, tmp, dfd, name) != 0) {
		r = atomic_err_from_errno();
		atomic_tmp_discard(dfd, tmp, -1);
	}
	/* EINVAL: this filesystem cannot sync a directory (some network and
	 * FUSE ones); there is nothing more to be done for the rename. */
	if (r == 0 && fsync(dfd) != 0 && errno != EINVAL)
		r = ATOMIC_ERR_DIR_SYNC;

	int saved = errno;
	close(dfd);
	errno = saved;
	return r;
}

/* Read fd to its end into buf[0..cap), the length into *got. Reads until
 * end of file rather than trusting st_size, and after a full buffer checks
 * that nothing follows. 0, ATOMIC_ERR_TOO_LARGE or ATOMIC_ERR_IO. */
static int atomic_fd_read_all(int fd, unsigned char *buf, size_t cap, size_t *got)
{
	size_t n = 0;

	for (;;) {
		unsigned char probe;
		int full = n == cap;
		ssize_t k = full ? read(fd, &probe, 1) : read(fd, buf + n, cap - n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return ATOMIC_ERR_IO;
		}
		if (k == 0)
			break;
		if (full) {
			errno = EFBIG;
			return ATOMIC_ERR_TOO_LARGE;
		}
		n += (size_t)k;
	}
	*got = n;
	return 0;
}

int atomic_read(const char *dir, const char *name, void *buf, size_t cap, size_t *len)
{
	char checked[NAME_MAX + 1];
	int r = atomic_name_build(checked, sizeof checked, name, "");
	if (r < 0)
		return r;
	int dfd = atomic_dir_open(dir);
	if (dfd < 0)
		return dfd;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it has no
	 * effect on a regular file. */
	int fd = openat(dfd, checked, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int saved = errno;
	close(dfd);
	errno = saved;
	if (fd < 0)
		return atomic_err_from_errno();

	struct stat st;
	size_t got = 0;
	if (fstat(fd, &st) != 0) {
		r = ATOMIC_ERR_IO;
	} else if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		r = ATOMIC_ERR_TYPE;
	} else if ((unsigned long long)st.st_size > cap) {
		errno = EFBIG; /* fail before reading anything */
		r = ATOMIC_ERR_TOO_LARGE;
	} else {
		r = atomic_fd_read_all(fd, buf, cap, &got);
	}
	saved = errno;
	close(fd);
	errno = saved;
	if (r == 0)
		*len = got;
	return r;
}

int atomic_dir_ensure(const char *dir, int *others_access)
{
	int created = 0;
	struct stat st;

	if (dir[0] == '\0') {
		errno = EINVAL;
		return ATOMIC_ERR_PATH;
	}
	if (mkdir(dir, 0700) == 0)
		created = 1;
	else if (errno != EEXIST)
		return atomic_err_from_errno();
	/* mkdir's 0700 went through the umask; make it exact. By path: a
	 * descriptor would need read permission the umask may have taken. */
	if (created && chmod(dir, 0700) != 0)
		return atomic_err_from_errno();
	if (stat(dir, &st) != 0)
		return atomic_err_from_errno();
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return ATOMIC_ERR_TYPE;
	}
	if (others_access)
		*others_access = (st.st_mode & 077) != 0;
	return created ? ATOMIC_DIR_CREATED : ATOMIC_DIR_EXISTED;
}

const char *atomic_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case ATOMIC_DIR_CREATED: return "directory created";
	case ATOMIC_ERR_IO: return "input/output error";
	case ATOMIC_ERR_PATH: return "unusable file or directory name";
	case ATOMIC_ERR_MISSING: return "no such file or directory";
	case ATOMIC_ERR_TOO_LARGE: return "file too large for its buffer";
	case ATOMIC_ERR_TYPE: return "not a regular file, or not a directory";
	case ATOMIC_ERR_DIR_SYNC: return "written, but the directory could not be synced";
	default: return "unknown error";
	}
}
