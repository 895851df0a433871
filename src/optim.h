/* optim.h — SGD (momentum, weight decay) and Adam over the flat parameter buffer.
 * An optional mask (same length as params; 0 = frozen, nonzero = trainable)
 * freezes parameters EXACTLY: a masked parameter's value, momentum and Adam
 * moments are never touched (no weight decay, no momentum drift). */
#ifndef OPTIM_H
#define OPTIM_H
#include <stddef.h>
#include <stdint.h>

typedef enum { OPT_SGD = 0, OPT_ADAM = 1 } OptKind;

typedef struct Optim {
    OptKind kind;
    float lr, momentum, weight_decay;   /* SGD: PyTorch semantics (dampening 0, nesterov off) */
    float beta1, beta2, eps;            /* Adam (L2 weight decay added to the gradient, as torch.optim.Adam) */
    size_t n;
    float *m, *v;                       /* momentum / first moment, second moment */
    long t;                             /* Adam step count */
} Optim;

void optim_init(Optim *o, OptKind kind, size_t n, float lr, float momentum, float weight_decay);
void optim_free(Optim *o);
void optim_reset_state(Optim *o);
/* One step: params -= update(grads).  mask may be NULL (all trainable). */
void optim_step(Optim *o, float *params, const float *grads, const uint8_t *mask);
/* The same step on a net's own buffers, on whichever device the net lives. */
struct Net;
void optim_step_net(Optim *o, struct Net *net, const uint8_t *mask);
#endif
