/* Screen speed: startup to the first frame (load the default model,
 * translate the default sentence, start curses, draw), and the median time
 * to redraw every stage view at 200x60 (a projector) and 80x24, rendering
 * into a curses screen on /dev/null. A redraw repaints every cell (what a
 * resize or Ctrl-L costs; a key press usually costs less).
 * Usage: bench_tui [MODELS_DIR [MODEL]]; the default model en-zh-transformer,
 * or a test fixture when it is not there.
 * Prints one line per measurement: "tui <what> <size> <ms>". */
#include "app/commands.h"
#include "app/session.h"
#include "tui/tui.h"

#include "timing.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { REPS = 41 };

static int exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

int main(int argc, char **argv)
{
	double t0 = now_ms();
	setlocale(LC_ALL, "C.UTF-8");
	setlocale(LC_NUMERIC, "C");
	const char *models = argc > 1 ? argv[1] : "models";
	char model[1024];
	if (argc > 2)
		snprintf(model, sizeof model, "%s", argv[2]);
	else
		snprintf(model, sizeof model, "%s/%s", models, SESSION_DEFAULT_MODEL);
	char cfg[1100];
	snprintf(cfg, sizeof cfg, "%s/config.json", model);
	if (!exists(cfg)) {
		fprintf(stderr, "bench_tui: %s not found; using the fixture tf-post-relu-h2\n", model);
		snprintf(model, sizeof model, "tests/ref/fixtures/tf-post-relu-h2");
	}

	struct session s;
	struct commands cmds;
	struct err e = {0};
	session_init(&s);
	snprintf(s.model_arg, sizeof s.model_arg, "%s", model);
	if (commands_init(&cmds, &e) || session_ensure(&s, &e)) {
		fprintf(stderr, "bench_tui: %s\n", e.msg);
		return 2;
	}
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	if (!out || !in) {
		fprintf(stderr, "bench_tui: cannot open /dev/null\n");
		return 2;
	}
	struct tui_opts o = {in, out, "xterm-256color", 0, 0};
	struct tui *t;
	if (tui_open(&t, &s, &cmds, &o, &e)) {
		fprintf(stderr, "bench_tui: %s\n", e.msg);
		return 2;
	}
	tui_resize(t, 60, 200);
	tui_draw(t, 1);
	double first = now_ms() - t0;

	static const int sizes[2][2] = {{60, 200}, {24, 80}};
	double worst[2] = {0, 0};
	char lines[2][64][96];
	int nlines[2] = {0, 0};
	for (int z = 0; z < 2; z++) {
		tui_resize(t, sizes[z][0], sizes[z][1]);
		/* Every stage once (its first layer): each view and its data. */
		for (int i = 0; i < s.pipe.n && nlines[z] < 64; i++) {
			s.walk = pipeline_walk_index(&s.pipe, i, 0);
			session_step(&s, 0);
			struct err ge;
			session_goto(&s, s.pipe.st[i].id, &ge);
			double v[REPS];
			for (int r = 0; r < REPS; r++) {
				double a = now_ms();
				tui_draw(t, 1);
				v[r] = now_ms() - a;
			}
			double m = median(v, REPS);
			worst[z] = m > worst[z] ? m : worst[z];
			snprintf(lines[z][nlines[z]++], sizeof lines[z][0], "tui redraw:%s %dx%d %.3f",
				 s.pipe.st[i].id, sizes[z][1], sizes[z][0], m);
		}
	}
	tui_close(t);
	fclose(out);
	fclose(in);
	printf("tui first-frame 200x60 %.3f\n", first);
	for (int z = 0; z < 2; z++) {
		for (int i = 0; i < nlines[z]; i++)
			printf("%s\n", lines[z][i]);
		printf("tui redraw-worst %dx%d %.3f\n", sizes[z][1], sizes[z][0], worst[z]);
	}
	fprintf(stderr, "bench_tui: model %s\n", model);
	commands_release(&cmds);
	session_release(&s);
	return first < 100 && worst[0] < 5 && worst[1] < 5 ? 0 : 1;
}
