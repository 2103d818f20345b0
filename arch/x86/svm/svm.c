/* AMD-V back-end: placeholder until the implementation lands. */
#include "core/vcpu.h"

const struct vcpu_ops svm_vcpu_ops = { .name = "svm" };
