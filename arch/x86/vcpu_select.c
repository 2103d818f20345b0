/* Bind the vCPU back-end once, at boot, from what CPUID reported. */
#include "arch/x86/vcpu_select.h"
#include "core/log.h"

const struct vcpu_ops *vcpu_ops;

const struct vcpu_ops *vcpu_select(const struct virt_caps *caps)
{
	vcpu_ops = NULL;
	if (!caps->usable)
		return NULL;
	vcpu_ops = caps->kind == VIRT_VMX ? &vmx_vcpu_ops : &svm_vcpu_ops;
	log_info("vcpu: using the %s back-end", vcpu_ops->name);
	return vcpu_ops;
}
