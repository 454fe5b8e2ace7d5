// SPDX-License-Identifier: GPL-2.0-only
/* A shared library whose functions make the calls that lose data, so the
 * stacks test (tests/e2e/stacks_test.cpp) can check that each finding names
 * the function and the line that made the deciding call. The lines marked
 * DECIDING(...) are found by the test in this file; keep one per mark.
 * noinline: at -O2 the compiler would fold these into their callers; and
 * no deciding call is in tail position (`return close(fd);` compiles to a
 * jump, and the function's frame is gone before the call is made): the test
 * is about unwinding, not about what the optimizer leaves of a stack. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))

static NOINLINE int write_all(int fd, const char *text)
{
	size_t n = strlen(text);
	return write(fd, text, n) == (ssize_t)n ? 0 : -1;
}

/* close-without-fsync: the close is the deciding call */
NOINLINE int save_state(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, "state\n"))
		return -1;
	if (close(fd)) /* DECIDING(close) */
		return -1;
	return 0;
}

/* rename-without-fsync: the data is fsynced by nobody before the rename */
NOINLINE int publish_state(const char *tmp, const char *path)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write_all(fd, "published\n"))
		return -1;
	close(fd);
	if (rename(tmp, path)) /* DECIDING(rename) */
		return -1;
	return 0;
}

/* unlink-before-durable: the old state is read into the new file (the
 * data flow that makes it the successor), then deleted before the new one
 * is durable */
NOINLINE int replace_state(const char *old_path, const char *new_path)
{
	char buf[256];
	int in = open(old_path, O_RDONLY | O_CLOEXEC);
	ssize_t n = in < 0 ? -1 : read(in, buf, sizeof buf);
	if (n <= 0)
		return -1;
	close(in);
	int fd = open(new_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		return -1;
	int r = unlink(old_path); /* DECIDING(unlink) */
	close(fd);
	return r;
}
