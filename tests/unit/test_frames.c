/* Host unit tests for partitions/frames.c (the root's frame table) and partitions/hosted.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "partitions/frames.h"
#include "partitions/hosted.h"

#define NPFN	2048
static uint8_t mem[NPFN];
static struct frame_table t;

static int setup(void **state)
{
	(void)state;
	memset(mem, 0xaa, sizeof(mem));
	frames_init(&t, mem, NPFN);
	frames_add_root(&t, 0, 256);		/* 0-1 MiB */
	frames_add_root(&t, 512, 1024);		/* 2-6 MiB: two whole blocks */
	return 0;
}

static void test_initial_states(void **state)
{
	(void)state;
	assert_int_equal(frames_get(&t, 0), FRAME_ROOT);
	assert_int_equal(frames_get(&t, 255), FRAME_ROOT);
	assert_int_equal(frames_get(&t, 256), FRAME_NOT_ROOT);	/* the hypervisor's */
	assert_int_equal(frames_get(&t, 1535), FRAME_ROOT);
	assert_int_equal(frames_get(&t, 1536), FRAME_NOT_ROOT);
	assert_int_equal(frames_get(&t, NPFN + 5), FRAME_NOT_ROOT);	/* past the end */
	assert_int_equal(frames_count(&t, FRAME_ROOT), 256 + 1024);
}

static void test_move_all_or_nothing(void **state)
{
	(void)state;
	assert_true(frames_move(&t, 600, 1, FRAME_ROOT, FRAME_DEPOSITED, 0));
	/* a range with one deposited frame in it: nothing moves */
	assert_false(frames_move(&t, 598, 4, FRAME_ROOT, FRAME_CHILD, 3));
	assert_int_equal(frames_get(&t, 598), FRAME_ROOT);
	assert_int_equal(frames_get(&t, 601), FRAME_ROOT);
	/* the hypervisor's frames never become anything */
	assert_false(frames_move(&t, 256, 1, FRAME_NOT_ROOT, FRAME_ROOT, 0));
	assert_false(frames_move(&t, 255, 2, FRAME_ROOT, FRAME_DEPOSITED, 0));
	assert_int_equal(frames_get(&t, 255), FRAME_ROOT);
	/* nor can the root's RAM be given away */
	assert_false(frames_move(&t, 10, 1, FRAME_ROOT, FRAME_NOT_ROOT, 0));
	/* past the end, and overflowing counts */
	assert_false(frames_move(&t, NPFN - 1, 2, FRAME_ROOT, FRAME_DEPOSITED, 0));
	assert_false(frames_move(&t, 1, UINT64_MAX, FRAME_ROOT, FRAME_DEPOSITED, 0));
}

static void test_owner_and_release(void **state)
{
	(void)state;
	assert_true(frames_move(&t, 512, 16, FRAME_ROOT, FRAME_CHILD, 3));
	assert_true(frames_move(&t, 700, 2, FRAME_ROOT, FRAME_CHILD, 4));
	assert_int_equal(frames_owner(&t, 520), 3);
	assert_int_equal(frames_owner(&t, 701), 4);
	assert_int_equal(frames_owner(&t, 600), -1);
	/* a frame mapped into one child is not free for another */
	assert_false(frames_move(&t, 520, 1, FRAME_ROOT, FRAME_CHILD, 4));
	assert_int_equal(frames_release_owner(&t, 3), 16);
	assert_int_equal(frames_get(&t, 520), FRAME_ROOT);
	assert_int_equal(frames_owner(&t, 701), 4);
	assert_false(frames_move(&t, 0, 1, FRAME_ROOT, FRAME_CHILD, FRAME_OWNER_MAX));
}

/*
 * UnmapGpaPages: an unmapped frame is pending (still busy: neither
 * depositable nor mappable, both of which want FRAME_ROOT) until the
 * child's VPs have left guest mode, then the root's; another child's
 * frames and the child's own still mapped ones are untouched.
 */
static void test_pending_until_released(void **state)
{
	(void)state;
	assert_true(frames_move(&t, 10, 3, FRAME_ROOT, FRAME_CHILD, 4));
	assert_true(frames_move(&t, 20, 1, FRAME_ROOT, FRAME_CHILD, 5));
	assert_true(frames_make_pending(&t, 10));
	assert_true(frames_make_pending(&t, 11));
	assert_false(frames_make_pending(&t, 30));		/* the root's: not a child's */
	assert_int_equal(frames_get(&t, 10), FRAME_CHILD);
	assert_int_equal(frames_owner(&t, 10), FRAME_OWNER_PENDING);
	assert_false(frames_move(&t, 10, 1, FRAME_ROOT, FRAME_DEPOSITED, 0));	/* no deposit */
	assert_int_equal(frames_release_owner(&t, 4), 1);	/* child 4's Finalize: 12 only */
	assert_int_equal(frames_get(&t, 11), FRAME_CHILD);
	assert_int_equal(frames_release_pending(&t), 2);
	assert_int_equal(frames_get(&t, 10), FRAME_ROOT);
	assert_int_equal(frames_get(&t, 11), FRAME_ROOT);
	assert_int_equal(frames_owner(&t, 20), 5);
	assert_int_equal(frames_release_pending(&t), 0);
	assert_int_equal(t.pending, 0);				/* nothing left to scan for */
}

static void test_block_in_root(void **state)
{
	(void)state;
	assert_true(frames_block_in_root(&t, 512));
	assert_true(frames_block_in_root(&t, 1023));
	assert_false(frames_block_in_root(&t, 0));	/* 1-2 MiB is not the root's */
	assert_true(frames_move(&t, 1030, 1, FRAME_ROOT, FRAME_CHILD, 1));
	assert_true(frames_block_in_root(&t, 1024));	/* mapped into a child: still in the root */
	assert_true(frames_move(&t, 1031, 1, FRAME_ROOT, FRAME_DEPOSITED, 0));
	assert_false(frames_block_in_root(&t, 1024));	/* a deposited frame is not */
	assert_true(frames_move(&t, 1031, 1, FRAME_DEPOSITED, FRAME_ROOT, 0));
	assert_true(frames_block_in_root(&t, 1500));
}

static void test_hosted_states(void **state)
{
	(void)state;
	assert_true(hosted_may(HOSTED_CREATED, HOSTED_OP_INITIALIZE));
	assert_false(hosted_may(HOSTED_INITIALIZED, HOSTED_OP_INITIALIZE));
	assert_false(hosted_may(HOSTED_CREATED, HOSTED_OP_VP));
	assert_true(hosted_may(HOSTED_INITIALIZED, HOSTED_OP_VP));
	assert_false(hosted_may(HOSTED_FINALIZED, HOSTED_OP_MAP));
	assert_false(hosted_may(HOSTED_INITIALIZED, HOSTED_OP_DELETE));
	assert_true(hosted_may(HOSTED_FINALIZED, HOSTED_OP_DELETE));
	assert_false(hosted_may(HOSTED_FINALIZED, HOSTED_OP_DEPOSIT));
	assert_true(hosted_may(HOSTED_FINALIZED, HOSTED_OP_WITHDRAW));
	assert_false(hosted_may(HOSTED_FINALIZED, HOSTED_OP_FINALIZE));
	assert_false(hosted_may(HOSTED_INITIALIZED, HOSTED_OP_EARLY_PROPERTY));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_initial_states, setup),
		cmocka_unit_test_setup(test_move_all_or_nothing, setup),
		cmocka_unit_test_setup(test_owner_and_release, setup),
		cmocka_unit_test_setup(test_pending_until_released, setup),
		cmocka_unit_test_setup(test_block_in_root, setup),
		cmocka_unit_test_setup(test_hosted_states, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
