/* fp.c — the compute-bound floating-point workload (double precision, VFP):
 * pi by the midpoint rule on 4 / (1 + x^2), a product of Givens rotations
 * checked to be orthogonal (Q * Q^T == I), and square roots by Newton's
 * method checked against sqrt(). Every check is a mathematical identity
 * with a tolerance far above rounding error and far below any real bug. */
#include <math.h>
#include <stdlib.h>

#include "bench.h"

#define ROUNDS 8
#define PI_STEPS 400000
#define DIM 48
#define NEWTON_N 60000

static double pi_midpoint(int steps)
{
	double h = 1.0 / steps, sum = 0.0;

	for (int i = 0; i < steps; i++) {
		double x = (i + 0.5) * h;

		sum += 4.0 / (1.0 + x * x);
	}
	return sum * h;
}

/* Q = product of rotations in planes (i, i+1) .. ; returns max |Q Q^T - I|. */
static double orthogonality_error(int round)
{
	static double q[DIM][DIM], p[DIM][DIM];
	double err = 0.0;

	for (int i = 0; i < DIM; i++)
		for (int j = 0; j < DIM; j++)
			q[i][j] = i == j;
	for (int k = 0; k < 4 * DIM; k++) {
		int a = k % (DIM - 1), b = a + 1 + k % (DIM - 1 - a);
		double t = 0.1 + 0.37 * k + round, c = cos(t), s = sin(t);

		for (int i = 0; i < DIM; i++) {
			double x = q[i][a], y = q[i][b];

			q[i][a] = c * x - s * y;
			q[i][b] = s * x + c * y;
		}
	}
	for (int i = 0; i < DIM; i++)
		for (int j = 0; j < DIM; j++) {
			double sum = 0.0;

			for (int k = 0; k < DIM; k++)
				sum += q[i][k] * q[j][k];
			p[i][j] = sum;
		}
	for (int i = 0; i < DIM; i++)
		for (int j = 0; j < DIM; j++)
			err = fmax(err, fabs(p[i][j] - (i == j)));
	return err;
}

/* Newton iterations for sqrt(v), v in [1, 1e6): returns the largest
 * relative difference from the library's sqrt(). */
static double newton_error(int n)
{
	double worst = 0.0;

	for (int i = 0; i < n; i++) {
		double v = 1.0 + i * (1e6 / n), x = v;

		for (int k = 0; k < 30; k++)
			x = 0.5 * (x + v / x);
		worst = fmax(worst, fabs(x - sqrt(v)) / sqrt(v));
	}
	return worst;
}

int bench_fp(int argc, char **argv)
{
	int rounds = argc > 0 ? atoi(argv[0]) : ROUNDS;

	for (int r = 0; r < rounds; r++) {
		double pi = pi_midpoint(PI_STEPS), e = orthogonality_error(r), n;

		if (fabs(pi - M_PI) > 1e-9)
			return bench_fail("fp", "round %d: midpoint pi %.15f, off by %.3g", r, pi,
					  pi - M_PI);
		if (!(e < 1e-12))
			return bench_fail("fp", "round %d: |Q Q^T - I| = %.3g", r, e);
		if (!((n = newton_error(NEWTON_N)) < 1e-15))
			return bench_fail("fp", "round %d: Newton sqrt off by %.3g", r, n);
	}
	return 0;
}
