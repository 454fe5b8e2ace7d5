// SPDX-License-Identifier: GPL-2.0-only
/* stack_main MODE DIR [thread]: makes one durability mistake through
 * stack_lib.c, from main or from a second thread.
 *   close   DIR/state written and closed without fsync
 *   rename  DIR/state.tmp written, renamed to DIR/state without fsync
 *   unlink  DIR/old (made durable first) deleted while DIR/new is not */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int save_state(const char *path);
int publish_state(const char *tmp, const char *path);
int replace_state(const char *old_path, const char *new_path);

static const char *mode, *dir;

static int make_durable(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "old\n", 4) != 4 || fsync(fd))
		return -1;
	close(fd);
	int d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0 || fsync(d))
		return -1;
	return close(d);
}

static int run_mode(void)
{
	char a[4096], b[4096];
	if (!strcmp(mode, "close")) {
		snprintf(a, sizeof a, "%s/state", dir);
		return save_state(a);
	}
	if (!strcmp(mode, "rename")) {
		snprintf(a, sizeof a, "%s/state.tmp", dir);
		snprintf(b, sizeof b, "%s/state", dir);
		return publish_state(a, b);
	}
	if (!strcmp(mode, "unlink")) {
		snprintf(a, sizeof a, "%s/old", dir);
		snprintf(b, sizeof b, "%s/new", dir);
		if (make_durable(a))
			return -1;
		return replace_state(a, b);
	}
	return -1;
}

static void *worker(void *arg)
{
	(void)arg;
	return (void *)(long)run_mode();
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: stack_main close|rename|unlink DIR [thread]\n");
		return 2;
	}
	mode = argv[1];
	dir = argv[2];
	if (argc > 3 && !strcmp(argv[3], "thread")) {
		pthread_t t;
		void *r;
		if (pthread_create(&t, NULL, worker, NULL) || pthread_join(t, &r))
			return 1;
		return r ? 1 : 0;
	}
	return run_mode() ? 1 : 0;
}
