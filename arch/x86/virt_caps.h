/*
 * What hardware virtualization this machine offers: the `hv check` of this
 * project. Vendor details stay here; core/ gets the summary text and a
 * yes/no for "partitions can run".
 */
#ifndef ARCH_X86_VIRT_CAPS_H
#define ARCH_X86_VIRT_CAPS_H

#include "core/types.h"
#include "core/abi/hypercall.h"

enum virt_kind { VIRT_NONE, VIRT_VMX, VIRT_SVM };

struct virt_caps {
	enum virt_kind kind;
	char vendor[13];
	/* VT-x */
	bool vmx_locked_off;	/* IA32_FEATURE_CONTROL locked with VMX disabled */
	bool vmx_true_ctls, ept, vpid, unrestricted, ept_wb, ept_2m, ept_1g, invvpid, preempt_timer;
	/* AMD-V */
	bool svm_disabled;	/* VM_CR.SVMDIS */
	bool npt, nrips, clean_bits, decode_assists;
	uint32_t asids;
	/* HVCALL_X_HV_INFO's HV_X_FEAT_* bits: what it has, what the back-end needs and lacks */
	uint64_t features, missing_bits;
	/* the verdict */
	bool usable;
	char missing[128];	/* what is missing when !usable */
};

void virt_detect(struct virt_caps *caps);
/*
 * What the last virt_detect found, vendor-neutral: HV_X_FEAT_* bits this
 * machine has, and those its back-end needs and lacks (HVCALL_X_HV_INFO).
 */
void virt_features(uint64_t *features, uint64_t *missing);
/* Report the capabilities in the log, one line each. */
void virt_report(const struct virt_caps *caps);
/* "virt=svm npt=1 nrips=0 asids=16" for the boot summary line. */
int virt_summary(const struct virt_caps *caps, char *buf, size_t size);

#endif
