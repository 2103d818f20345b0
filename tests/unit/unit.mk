# Host unit tests (cmocka) and libFuzzer targets for the pure-logic modules.
#
# Included by the top-level Makefile (run from the repository root), or used
# on its own:  make -f tests/unit/unit.mk BUILD=build unit
#
#   unit        build $(BUILD)/unit/<test> and run them all, and compile-fail;
#               fails if any fails
#   compile-fail  code that must not compile: mixes of core/ids.h's typed numbers
#   fuzz-build  build $(BUILD)/fuzz/<fuzzer>
#   fuzz        run each fuzzer $(FUZZ_SECONDS) s from an empty corpus
#   fuzz-quick  the same, 10 s each
#
# The pure modules are built for the host and linked against libc; core/lib.c
# is deliberately left out.

# Do not let this fragment's first rule become the includer's default goal.
unit_saved_goal := $(.DEFAULT_GOAL)

BUILD ?= build
FUZZ_SECONDS ?= 60

UNIT_SRCS_PURE = core/format.c core/mb2.c core/memmap.c core/palloc.c \
		 core/cmdline.c core/options.c drivers/acpi_tables.c \
		 core/slpt.c core/elf.c core/mbhdr.c partitions/mbinfo.c core/logring.c \
		 partitions/cpuid.c core/hvroot_decode.c core/hvcall_decode.c core/pool.c core/rootmem.c core/rootimg.c \
		 core/script.c core/script_default.c core/xlcfg.c core/json.c partitions/childload.c partitions/childload_linux.c partitions/bzimage.c partitions/frames.c partitions/intercept.c \
		 partitions/root/childout.c partitions/root/lineedit.c core/mmio_insn.c partitions/vlapic.c

UNIT_TESTS := test_format test_mb2 test_memmap test_palloc test_cmdline test_acpi \
	      test_slpt test_elf test_mbhdr test_mbinfo test_logring test_cpuid \
	      test_guest_insn test_svm_exit test_svm_state test_vmx_exit test_exit test_hypercall test_log \
	      test_hvroot test_hvcall_decode test_hvcall_engine test_synic test_tlfs test_pool test_rootmem \
	      test_script test_childload test_childdev test_childout test_child test_frames test_intercept \
	      test_xlcfg test_json test_lineedit test_mmio_insn test_acpi_build test_ioapic test_vlapic test_rtc

# Hypervisor code a test links besides the pure modules (the test stubs what
# that code calls): UNIT_EXTRA_<test>.
UNIT_EXTRA_test_guest_insn := arch/x86/guest_insn.c
UNIT_EXTRA_test_svm_exit := arch/x86/svm/svm_exit.c arch/x86/guest_insn.c
UNIT_EXTRA_test_svm_state := arch/x86/svm/svm_state.c
UNIT_EXTRA_test_vmx_exit := arch/x86/vmx/vmx_exit.c
UNIT_EXTRA_test_exit := core/cr.c
UNIT_EXTRA_test_hypercall := core/hypercall.c core/hvcall_table.c
UNIT_EXTRA_test_hvcall_engine := core/hypercall.c
UNIT_EXTRA_test_synic := partitions/synic.c partitions/stimer.c
UNIT_EXTRA_test_tlfs := partitions/tlfs.c
UNIT_EXTRA_test_childdev := partitions/root/childdev.c partitions/root/lineasm.c \
			    partitions/root/uart_model.c partitions/root/rtc_model.c
UNIT_EXTRA_test_ioapic := partitions/root/ioapic.c
UNIT_EXTRA_test_child := partitions/root/child.c partitions/root/childdev.c partitions/root/lineasm.c \
			 partitions/root/uart_model.c partitions/root/intercept.c partitions/root/childplat.c \
			 partitions/root/ioapic.c partitions/root/acpi_build.c partitions/root/rtc_model.c
UNIT_EXTRA_test_rtc := partitions/root/rtc_model.c
UNIT_EXTRA_test_acpi_build := partitions/root/acpi_build.c
UNIT_EXTRA_OBJS = $(sort $(patsubst %.c,$(UNIT_DIR)/obj/%.o,\
	$(foreach t,$(UNIT_TESTS),$(UNIT_EXTRA_$(t)))))
FUZZ_TARGETS := fuzz_mb2 fuzz_madt fuzz_cmdline fuzz_memmap fuzz_elf fuzz_mbhdr fuzz_logring \
		fuzz_hvroot fuzz_hvcall_decode fuzz_pool fuzz_rootimg fuzz_script fuzz_childout fuzz_xlcfg \
		fuzz_lineedit fuzz_mmio_insn fuzz_vlapic

# Order-only prerequisite of every rule here: the top-level Makefile sets it to
# its `deps` target (package installation); empty when used on its own.
DEPS_TARGET ?=

# The child's DSDT (test_acpi_build links it as the root kernel does).
include partitions/root/dsdt.mk

UNIT_CC ?= cc
UNIT_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror -Wshadow -I. \
	       -fsanitize=address,undefined -fno-sanitize-recover=all \
	       -fno-omit-frame-pointer
UNIT_LDLIBS := -lcmocka

FUZZ_CC ?= clang
FUZZ_CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror -Wshadow -I. \
	       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	       -fno-omit-frame-pointer

# Debian's 6.1 kernel, where a build step fetched it: test_childload parses it
# (and skips that test without it).
LINUX_VMLINUZ ?= $(wildcard $(BUILD)/linux/vmlinuz)

UNIT_DIR := $(BUILD)/unit
FUZZ_DIR := $(BUILD)/fuzz
UNIT_BINS := $(addprefix $(UNIT_DIR)/,$(UNIT_TESTS))
FUZZ_BINS := $(addprefix $(FUZZ_DIR)/,$(FUZZ_TARGETS))
UNIT_PURE_OBJS := $(patsubst %.c,$(UNIT_DIR)/obj/%.o,$(UNIT_SRCS_PURE))
FUZZ_PURE_OBJS := $(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(UNIT_SRCS_PURE))

.PHONY: unit compile-fail fuzz-build fuzz fuzz-quick
.SECONDARY: $(UNIT_PURE_OBJS) $(FUZZ_PURE_OBJS)

unit: $(UNIT_BINS) compile-fail
	@failed=""; \
	for t in $(UNIT_BINS); do \
		echo "== $$t"; \
		LINUX_VMLINUZ="$(LINUX_VMLINUZ)" $$t || failed="$$failed $${t##*/}"; \
	done; \
	if [ -n "$$failed" ]; then echo "unit tests FAILED:$$failed"; exit 1; fi; \
	echo "unit tests: all $(words $(UNIT_BINS)) programs passed"

compile-fail: | $(DEPS_TARGET)
	@tests/unit/compile-fail.sh "$(UNIT_CC)" tests/unit/compile_fail_ids.c $(UNIT_CFLAGS)

$(UNIT_DIR)/obj/%.o: %.c | $(DEPS_TARGET)
	@mkdir -p $(@D)
	$(UNIT_CC) $(UNIT_CFLAGS) -MMD -MP -c $< -o $@

# The VMX exit decoder reads a fake VMCS (vmread/vmwrite from the test).
$(UNIT_DIR)/obj/arch/x86/vmx/vmx_exit.o: UNIT_CFLAGS += -DVMCS_FAKE

# test_log includes core/log.c, which turns interrupts off and on: the test
# provides them, through a stand-in for arch/x86/cpu.h found first.
$(UNIT_DIR)/test_log: private UNIT_CFLAGS := -Itests/unit/stubs $(UNIT_CFLAGS)

# The root's SynIC code reads CPUID and MSRs: test_child provides them (the same stand-in).
$(UNIT_DIR)/obj/partitions/root/intercept.o: private UNIT_CFLAGS := -Itests/unit/stubs $(UNIT_CFLAGS)
$(UNIT_DIR)/test_child: private UNIT_CFLAGS := -Itests/unit/stubs $(UNIT_CFLAGS)

# test_acpi_build links the DSDT that iasl compiled, embedded as in the root kernel.
$(UNIT_DIR)/test_acpi_build $(UNIT_DIR)/test_child: $(UNIT_DIR)/obj/partitions/root/dsdt_aml.o
$(UNIT_DIR)/obj/partitions/root/dsdt_aml.o: partitions/root/dsdt_aml.S $(DSDT_AML) | $(DEPS_TARGET)
	@mkdir -p $(@D)
	$(UNIT_CC) -I. -D__ASSEMBLY__ -DDSDT_AML_PATH='"$(DSDT_AML)"' -c $< -o $@

# test_synic posts from a second thread.
$(UNIT_DIR)/test_synic: UNIT_LDLIBS += -pthread

$(foreach t,$(UNIT_TESTS),$(eval $(UNIT_DIR)/$(t): \
	$(patsubst %.c,$(UNIT_DIR)/obj/%.o,$(UNIT_EXTRA_$(t)))))

$(UNIT_DIR)/%: tests/unit/%.c $(UNIT_PURE_OBJS) | $(DEPS_TARGET)
	@mkdir -p $(@D)
	$(UNIT_CC) $(UNIT_CFLAGS) -MMD -MP -MF $@.d $< $(filter %.o,$^) $(UNIT_LDLIBS) -o $@

fuzz-build: $(FUZZ_BINS)

$(FUZZ_DIR)/obj/%.o: %.c | $(DEPS_TARGET)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_DIR)/%: tests/fuzz/%.c $(FUZZ_PURE_OBJS) | $(DEPS_TARGET)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -MF $@.d $< $(FUZZ_PURE_OBJS) -o $@

# $(call fuzz_run,SECONDS): each fuzzer from a fresh, empty corpus, FUZZ_JOBS of
# them at a time (default: one per CPU); crash reproducers land in $(FUZZ_DIR)/artifacts/.
FUZZ_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
define fuzz_run
	@tests/unit/fuzz-run.sh $(FUZZ_DIR) $(1) $(FUZZ_JOBS) $(FUZZ_TARGETS)
endef

fuzz: fuzz-build
	$(call fuzz_run,$(FUZZ_SECONDS))

fuzz-quick: fuzz-build
	$(call fuzz_run,10)

-include $(UNIT_BINS:=.d) $(FUZZ_BINS:=.d) \
	 $(UNIT_PURE_OBJS:.o=.d) $(FUZZ_PURE_OBJS:.o=.d) $(UNIT_EXTRA_OBJS:.o=.d)

.DEFAULT_GOAL := $(unit_saved_goal)
