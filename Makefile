# lunet: make (build), make test, make demo, make bench, make asan, make lint.
# Every target that needs Debian packages first runs `make deps`, which
# installs only what is missing.

LUA      ?= lua5.4
LUA_INC  ?= /usr/include/lua5.4
CC       ?= gcc
OPT      ?= -O2 -g
CFLAGS   ?= $(OPT)
WARN     := -Wall -Wextra
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L
LDLIBS   := -lz -lm -ldl
BUSTED   ?= busted

CORE_SRC := $(filter-out csrc/lua_%.c,$(wildcard csrc/*.c))
BIND_SRC := $(filter-out csrc/lua_readline.c,$(wildcard csrc/lua_*.c))
HEADERS  := $(wildcard csrc/*.h csrc/real/*.inc)

BUILD    ?= build/release
OBJ      := $(patsubst csrc/%.c,$(BUILD)/%.o,$(CORE_SRC) $(BIND_SRC))

# Lua finds the module at ./lunet/core.so and the Lua side under lua/.
export LUA_PATH   := $(CURDIR)/lua/?.lua;$(CURDIR)/lua/?/init.lua;;
export LUA_CPATH  := $(CURDIR)/?.so;;

# Debian packages: what building, testing and the rest need.
DEPS_BUILD := gcc libc6-dev lua5.4 liblua5.4-dev libopenblas-dev zlib1g-dev libreadline-dev
DEPS_TEST  := $(DEPS_BUILD) lua-busted luarocks dataset-fashion-mnist curl tmux
DEPS_DEV   := lua-check
DEPS_ASAN  := clang libclang-rt-14-dev
DEPS_BENCH := python3-torch python3-numpy
DEPS_SHOTS := chromium

.PHONY: all docs deps deps-dev test asan tsan fuzz fuzz-build bench bench-lbfgs bench-minimize bench-accuracy demo mnist lint \
  install rock-install clean clean-so mutants

# Where the module goes; another SO/BUILD pair gives a second build tree.
SO       ?= lunet/core.so
# The prompt's readline binding: a module of its own, so the core needs no readline.
RL_SO    ?= $(dir $(SO))readline.so

all: $(SO) $(RL_SO)

$(RL_SO): $(BUILD)/lua_readline.o
	@mkdir -p $(dir $(RL_SO))
	$(CC) -shared -o $@ $< $(LDFLAGS) -lreadline

$(SO): $(OBJ)
	@mkdir -p $(dir $(SO))
	$(CC) -shared -o $@ $(OBJ) $(LDFLAGS) $(LDLIBS)

# The core never sees Lua's headers; only the binding files get them.
$(BUILD)/lua_%.o: csrc/lua_%.c $(HEADERS)
	@mkdir -p $(BUILD)
	$(CC) $(CSTD) $(CFLAGS) $(WARN) -fPIC -I$(LUA_INC) -Icsrc -c -o $@ $<

# The element loops are written plainly and left to the vectoriser (which
# needs -fno-math-errno to vectorise a loop with a square root; no kernel reads errno).
$(BUILD)/kern_%.o: csrc/kern_%.c $(HEADERS)
	@mkdir -p $(BUILD)
	$(CC) $(CSTD) $(CFLAGS) -O3 -fno-math-errno $(WARN) -fPIC -Icsrc -c -o $@ $<

$(BUILD)/%.o: csrc/%.c $(HEADERS)
	@mkdir -p $(BUILD)
	$(CC) $(CSTD) $(CFLAGS) $(WARN) -fPIC -Icsrc -c -o $@ $<

deps:
	@sh tools/deps.sh $(DEPS_TEST)

deps-dev:
	@sh tools/deps.sh $(DEPS_TEST) $(DEPS_DEV)

# The last line is "N passed, N failed", which CI reads.
test: deps
	@$(MAKE) --no-print-directory all
	@sh tools/run_specs.sh $(LUA) $(BUSTED)

# AddressSanitizer + UndefinedBehaviorSanitizer: the module is built with
# clang and the runtime preloaded into the interpreter.
asan:
	@sh tools/deps.sh $(DEPS_TEST) $(DEPS_ASAN)
	@$(MAKE) --no-print-directory clean-so
	@$(MAKE) --no-print-directory all CC=clang BUILD=build/asan \
	  OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  LDFLAGS="-fsanitize=address,undefined"
	@ASAN=1 sh tools/run_specs.sh $(LUA) $(BUSTED); status=$$?; \
	  $(MAKE) --no-print-directory clean-so; exit $$status

# ThreadSanitizer over the worker threads: gcc's runtime (clang 14's does not
# start on these kernels), address randomisation off as it requires. Only
# the specs that train and run layers: under this runtime /bin/sh crashes, so
# specs that shell out (files, plots, data) cannot run here.
TSAN_SPECS = spec/conv_spec.lua spec/nn_layers_spec.lua spec/train_spec.lua spec/network3_spec.lua \
  spec/gradient_norms_spec.lua spec/expand_spec.lua spec/perf_kernels_spec.lua spec/profile_spec.lua
tsan:
	@sh tools/deps.sh $(DEPS_TEST)
	@$(MAKE) --no-print-directory clean-so
	@$(MAKE) --no-print-directory all CC=gcc BUILD=build/tsan OPT="-O1 -g -fsanitize=thread" \
	  LDFLAGS="-fsanitize=thread"
	@TSAN=1 sh tools/run_specs.sh $(LUA) $(BUSTED) $(TSAN_SPECS); status=$$?; \
	  $(MAKE) --no-print-directory clean-so; exit $$status

# libFuzzer harnesses (fuzz/*.c) for every reader of untrusted bytes, with
# ASan + UBSan: the core is compiled with clang into build/fuzz/obj, seed
# corpora are written by fuzz/make_corpus.lua, and each harness runs for
# FUZZ_SECONDS, one after the other; fails on any finding.
FUZZ_SECONDS ?= 60
FUZZ_NAMES   := npy idx idx_gz model model_crc checkpoint checkpoint_crc json
FUZZ_OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJ     := $(patsubst csrc/%.c,build/fuzz/obj/%.o,$(CORE_SRC))
FUZZ_BINS    := $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_NAMES))
fuzz: fuzz-build
	@$(MAKE) --no-print-directory all
	@$(LUA) fuzz/make_corpus.lua build/fuzz/corpus
	@sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_NAMES)

fuzz-build:
	@sh tools/deps.sh $(DEPS_BUILD) $(DEPS_ASAN)
	@$(MAKE) -s --no-print-directory CC=clang BUILD=build/fuzz/obj \
	  OPT="$(FUZZ_OPT) -fsanitize=fuzzer-no-link" $(FUZZ_OBJ)
	@$(MAKE) -s --no-print-directory $(FUZZ_BINS)

build/fuzz/fuzz_json: fuzz/fuzz_json.c
	clang $(CSTD) $(FUZZ_OPT) -fsanitize=fuzzer $(WARN) -I$(LUA_INC) -DLUNET_LUA_DIR='"$(CURDIR)/lua"' \
	  -o $@ $< -llua5.4 -lm -ldl

build/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/*.h $(FUZZ_OBJ)
	clang $(CSTD) $(FUZZ_OPT) -fsanitize=fuzzer $(WARN) -Icsrc -o $@ $< $(FUZZ_OBJ) $(LDLIBS) -lpthread

# Mutation testing (tools/mutants.lua): MUTANTS mutants drawn with
# MUTANT_SEED, each built and tested in a copy under build/mut-tree.
MUTANTS     ?= 100
MUTANT_SEED ?= 1
mutants: deps
	@MUTANTS=$(MUTANTS) MUTANT_SEED=$(MUTANT_SEED) nice $(LUA) tools/mutants.lua $(CURDIR)

# The C is rebuilt from scratch in its own directory so every file is seen.
lint: deps-dev
	luacheck lua spec examples bench fuzz tools/mkdocs.lua lunet.lua
	rm -rf build/lint
	@$(MAKE) --no-print-directory clean-so
	@$(MAKE) --no-print-directory all BUILD=build/lint OPT="-O2 -Werror"

clean-so:
	rm -f lunet/core.so lunet/readline.so

# Needs only what building and LuaRocks need (no linter, no test tools).
install:
	@sh tools/deps.sh $(DEPS_BUILD) luarocks
	luarocks --lua-version 5.4 make

# What the rockspec's install step runs, with LuaRocks' directories. The
# examples go into the rock's own directory (PREFIX), where bin/lunet finds
# them (`lunet --example chapter1`) and `luarocks remove` removes them.
rock-install: all
	mkdir -p $(LIBDIR)/lunet $(LUADIR) $(BINDIR)
	cp lunet/core.so $(LIBDIR)/lunet/core.so
	cp lunet/readline.so $(LIBDIR)/lunet/readline.so
	cp -r lua/lunet $(LUADIR)/
	cp bin/lunet $(BINDIR)/lunet
	if [ -n "$(PREFIX)" ]; then mkdir -p $(PREFIX)/examples && cp examples/*.lua $(PREFIX)/examples/; fi

clean:
	rm -rf build lunet/core.so lunet/readline.so

# Downloads MNIST (11 MB, size and MD5 checked) into ~/.cache/lunet/mnist.
mnist:
	@$(MAKE) --no-print-directory all
	@$(LUA) -e 'local ok, e = pcall(require("lunet.data").download_mnist) if not ok then io.stderr:write("make mnist: ", tostring(e), "\n") os.exit(1) end'

# The benchmark suite: lunet and PyTorch side by side in one run (bench/run.sh:
# BLAS=native unsets the platform's OpenBLAS settings for both sides, QUICK=1
# runs a short version; REPEAT, CONV_REPEAT, INFER_REPEAT, CORES, IMAGES).
BLAS  ?= platform
QUICK ?= 0
bench:
	@sh tools/deps.sh $(DEPS_TEST) $(DEPS_BENCH)
	@$(MAKE) --no-print-directory all
	@BLAS=$(BLAS) QUICK=$(QUICK) sh bench/run.sh

# Full-batch L-BFGS, lunet.minimize against torch.optim.LBFGS: iterations
# and time to PyTorch's final cost after ITER (100) iterations, on every seed
# of SEEDS (default "1 2 3 4 5 6 7 8"), with a per-seed line and a summary.
bench-lbfgs:
	@sh tools/deps.sh $(DEPS_TEST) $(DEPS_BENCH)
	@$(MAKE) --no-print-directory all
	@sh bench/lbfgs.sh

# lunet.minimize against SciPy's minimize (BFGS, L-BFGS-B, CG): iterations to
# |grad| < 1e-6 on Rosenbrock and a 100-d quadratic of condition number 1000.
bench-minimize:
	@sh tools/deps.sh $(DEPS_TEST) python3-scipy
	@$(MAKE) --no-print-directory all
	@mkdir -p build/bench-minimize
	$(LUA) bench/minimize.lua build/bench-minimize
	/usr/bin/python3 bench/scipy_minimize.py build/bench-minimize

# lunet and PyTorch trained the same way; both test accuracies (EPOCHS=n).
bench-accuracy:
	@sh tools/deps.sh $(DEPS_TEST) $(DEPS_BENCH)
	@$(MAKE) --no-print-directory all
	@sh bench/accuracy.sh

# The main experiment: depth vs accuracy and the speed of learning of each
# layer (examples/depth_vs_accuracy.lua), then the book's learning-speed
# figure (examples/learning_speed.lua: 1,000 images, full-batch gradient
# descent, 500 epochs), plots in out/. EPOCHS=n, ACTIVATION=relu INIT=he for
# the cure.
EPOCHS     ?= 30
ACTIVATION ?= sigmoid
INIT       ?= default
demo: deps
	@$(MAKE) --no-print-directory all
	@bin/lunet examples/depth_vs_accuracy.lua --epochs $(EPOCHS) --activation $(ACTIVATION) --init $(INIT) --out out
	@echo
	@bin/lunet examples/learning_speed.lua --activation $(ACTIVATION) --init $(INIT) --out out

# The reference manual (docs/reference.md) from the docstrings help() prints;
# spec/docs_spec.lua fails when the committed manual is not what this writes.
docs: all
	$(LUA) tools/mkdocs.lua docs/reference.md
