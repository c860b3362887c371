// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metrics.h"

struct ff_metrics {
	int fd;
	volatile int stop;
	pthread_t thread;
	const struct ff_maps *mp;
	char iface[32];
	const char (*class_names)[FF_NAME_MAX];
	const __u32 *n_classes;
};

char *ff_metrics_render(const struct ff_maps *mp, const char *iface,
			const char (*class_names)[FF_NAME_MAX], __u32 n_classes)
{
	struct ff_counters c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	__u32 i;

	if (ff_maps_counters(mp, &c))
		return NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (i = 0; i < FF_C__FIXED; i++) {
		const char *n = ff_counter_names[i];

		fprintf(f, "# TYPE flowforest_%s_total counter\n", n);
		fprintf(f, "flowforest_%s_total{iface=\"%s\"} %" PRIu64 "\n", n, iface,
			(uint64_t)c.c[i]);
	}
	fprintf(f, "# TYPE flowforest_class_packets_total counter\n");
	for (i = 0; i < FF_MAX_CLASSES; i++) {
		if (class_names && i >= n_classes)
			break;
		if (class_names)
			fprintf(f, "flowforest_class_packets_total{iface=\"%s\",class=\"%s\"} %" PRIu64 "\n",
				iface, class_names[i], (uint64_t)c.class_pkts[i]);
		else if (c.class_pkts[i])
			fprintf(f, "flowforest_class_packets_total{iface=\"%s\",class=\"%u\"} %" PRIu64 "\n",
				iface, i, (uint64_t)c.class_pkts[i]);
	}
	fprintf(f, "flowforest_class_packets_total{iface=\"%s\",class=\"(none)\"} %" PRIu64 "\n",
		iface, (uint64_t)c.unclassified_pkts);
	fclose(f);
	return buf;
}

static void *serve(void *arg)
{
	struct ff_metrics *m = arg;

	while (!m->stop) {
		struct pollfd p = { .fd = m->fd, .events = POLLIN };
		char req[1024], head[256];
		char *body;
		int c;

		if (poll(&p, 1, 200) <= 0)
			continue;
		c = accept(m->fd, NULL, NULL);
		if (c < 0)
			continue;
		/* One short request; whatever it asks, the answer is the metrics. */
		{
			struct pollfd pc = { .fd = c, .events = POLLIN };

			if (poll(&pc, 1, 1000) > 0)
				(void)!recv(c, req, sizeof(req), 0);
		}
		body = ff_metrics_render(m->mp, m->iface, m->class_names,
					 m->n_classes ? *m->n_classes : 0);
		if (body) {
			int n = snprintf(head, sizeof(head),
					 "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
					 "Content-Length: %zu\r\nConnection: close\r\n\r\n", strlen(body));

			(void)!send(c, head, n, MSG_NOSIGNAL);
			(void)!send(c, body, strlen(body), MSG_NOSIGNAL);
			free(body);
		}
		close(c);
	}
	return NULL;
}

struct ff_metrics *ff_metrics_start(const char *addr_port, const struct ff_maps *mp,
				    const char *iface,
				    const char (*class_names)[FF_NAME_MAX], const __u32 *n_classes,
				    char *err, size_t errlen)
{
	struct sockaddr_storage ss = {};
	struct ff_metrics *m;
	char host[128], *colon;
	long port;
	int one = 1, fam;
	socklen_t sl;

	snprintf(host, sizeof(host), "%s", addr_port);
	colon = strrchr(host, ':');
	if (!colon || !colon[1]) {
		snprintf(err, errlen, "--metrics wants ADDRESS:PORT, e.g. 127.0.0.1:9464");
		return NULL;
	}
	*colon = 0;
	port = strtol(colon + 1, NULL, 10);
	if (port <= 0 || port > 65535) {
		snprintf(err, errlen, "--metrics: bad port '%s'", colon + 1);
		return NULL;
	}
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = 0;
	}
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		fam = AF_INET;
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		fam = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		snprintf(err, errlen, "--metrics: '%s' is not an IP address", host);
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	m->mp = mp;
	m->class_names = class_names;
	m->n_classes = n_classes;
	snprintf(m->iface, sizeof(m->iface), "%s", iface);
	m->fd = socket(fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (m->fd < 0 || setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(m->fd, (struct sockaddr *)&ss, sl) || listen(m->fd, 8)) {
		snprintf(err, errlen, "--metrics: cannot listen on %s: %s", addr_port, strerror(errno));
		if (m->fd >= 0)
			close(m->fd);
		free(m);
		return NULL;
	}
	if (pthread_create(&m->thread, NULL, serve, m)) {
		snprintf(err, errlen, "--metrics: cannot start a thread");
		close(m->fd);
		free(m);
		return NULL;
	}
	return m;
}

void ff_metrics_stop(struct ff_metrics *m)
{
	if (!m)
		return;
	m->stop = 1;
	pthread_join(m->thread, NULL);
	close(m->fd);
	free(m);
}
