/*
 * cuda_limits.h - CUDA's limits on a launch's grid, in plain C: the one copy that the
 * ladder's planner (src/ladder.c, every build) and the CUDA kernels' launchers share.
 * Launchers cap their grids at these and loop over what a capped grid does not cover.
 */
#ifndef WG_CUDA_LIMITS_H
#define WG_CUDA_LIMITS_H

#define WG_CUDA_MAX_GRID_X 2147483647u
#define WG_CUDA_MAX_GRID_Y 65535u

#endif /* WG_CUDA_LIMITS_H */
