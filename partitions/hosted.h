/*
 * The life of a partition the root creates by hypercall (a "hosted"
 * child, docs/hypercalls.md "Partition states"): Created, Initialized
 * (its VPs may run), Finalized (no VP, no GPA mapping: only its pool is
 * left, to be withdrawn), then deleted. Pure: which call each state takes
 * (tests/unit/test_frames.c); a call in a state not listed gets
 * HV_STATUS_INVALID_PARTITION_STATE.
 */
#ifndef PARTITIONS_HOSTED_H
#define PARTITIONS_HOSTED_H

#include <stdbool.h>

enum hosted_state { HOSTED_CREATED = 1, HOSTED_INITIALIZED, HOSTED_FINALIZED };

enum hosted_op {
	HOSTED_OP_INITIALIZE,
	HOSTED_OP_FINALIZE,
	HOSTED_OP_DELETE,
	HOSTED_OP_DEPOSIT,	/* into its pool */
	HOSTED_OP_WITHDRAW,
	HOSTED_OP_MAP,		/* Map/UnmapGpaPages */
	HOSTED_OP_VP,		/* Create/DeleteVp, Get/SetVpRegisters, AssertVirtualInterrupt */
	HOSTED_OP_EARLY_PROPERTY,	/* SetPartitionProperty of a property fixed at Initialize */
};

static inline bool hosted_may(enum hosted_state s, enum hosted_op op)
{
	switch (op) {
	case HOSTED_OP_INITIALIZE:
	case HOSTED_OP_EARLY_PROPERTY:
		return s == HOSTED_CREATED;
	case HOSTED_OP_FINALIZE:
		return s == HOSTED_CREATED || s == HOSTED_INITIALIZED;
	case HOSTED_OP_DELETE:
		return s == HOSTED_FINALIZED;
	case HOSTED_OP_DEPOSIT:
		return s == HOSTED_CREATED || s == HOSTED_INITIALIZED;
	case HOSTED_OP_WITHDRAW:
		return s == HOSTED_CREATED || s == HOSTED_INITIALIZED || s == HOSTED_FINALIZED;
	case HOSTED_OP_MAP:
	case HOSTED_OP_VP:
		return s == HOSTED_INITIALIZED;
	}
	return false;
}

#endif
