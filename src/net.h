/* net.h — a network is data: a text spec, one layer a line, parsed at start-up.
 *
 * Spec format (darknet-cfg-like; '#' starts a comment; key=value options):
 *   input C H W                     first line: input shape (may be overridden)
 *   conv OC k=3 stride=1 pad=0 bias=1
 *   batchnorm [eps=1e-5 momentum=0.1]
 *   relu | leaky [slope=0.01] | dropout p=0.5
 *   maxpool k=2 [stride=k pad=0] | avgpool k=2 [stride=k pad=0]
 *   gap                             global average pool -> [C]
 *   flatten
 *   linear N | linear classes       N outputs, or the number of classes
 * Errors name the source and the line: "nets/seed.net:7: unknown layer 'conv3d'".
 *
 * Parameters: ALL trainable parameters live in one contiguous buffer
 * net->params (n_params floats), with net->grads of the same length.  Masks,
 * importance scores, optimiser state and "original weights" are parallel
 * buffers of the same length, so saliency, SalUn masks, SSD dampening and
 * distance-to-original are one loop over one array.  Batch-norm running
 * statistics are not trainable: they live in net->stats (n_stats floats).
 *
 * Tensor names follow torch.nn.Sequential: "layers.<i>.weight", ".bias",
 * ".running_mean", ".running_var", so a checkpoint loads into the equivalent
 * PyTorch nn.Sequential with load_state_dict.
 */
#ifndef NET_H
#define NET_H
#include <stddef.h>
#include <stdint.h>
#include "rng.h"

typedef enum {
    LAYER_CONV2D, LAYER_BATCHNORM2D, LAYER_RELU, LAYER_LEAKY_RELU,
    LAYER_MAXPOOL, LAYER_AVGPOOL, LAYER_GLOBAL_AVGPOOL, LAYER_FLATTEN,
    LAYER_LINEAR, LAYER_DROPOUT
} LayerType;

typedef struct {
    LayerType type;
    int line;                     /* line in the spec */
    int in_c, in_h, in_w;         /* input shape of one sample (linear: in_c = features, h=w=1) */
    int out_c, out_h, out_w;      /* output shape of one sample */
    int k, stride, pad, has_bias; /* conv / pools */
    float slope;                  /* leaky relu */
    float p;                      /* dropout */
    float eps, momentum;          /* batchnorm */
    size_t w_off, w_len;          /* weight (conv, linear) or gamma (bn) in params */
    size_t b_off, b_len;          /* bias or beta (b_len 0 when absent) */
    size_t stat_off;              /* bn: running_mean at stats+stat_off, running_var after it (C each) */
    /* per-batch saved state (CPU backend), sized for net->max_batch */
    float *save_a, *save_b;       /* bn: mean, inv_std [C]; dropout: mask [B*out] */
    int32_t *idx;                 /* maxpool argmax */
} Layer;

typedef enum { DEVICE_CPU = 0, DEVICE_CUDA = 1 } Device;

typedef struct Net {
    int n_layers;
    Layer *layers;
    int in_c, in_h, in_w;
    int n_classes;                /* outputs of the last layer */
    char *spec;                   /* the spec text, stored in checkpoints */

    size_t n_params;
    float *params, *grads;        /* one flat buffer each */
    size_t n_stats;
    float *stats;                 /* bn running statistics */

    /* activations (CPU backend): act[0] = input copy, act[i+1] = output of layer i,
     * dact likewise; sized for max_batch samples. */
    int max_batch;
    float **act, **dact;
    float *ws; size_t ws_len;     /* shared scratch for conv im2col etc. */
    int ws_threads;               /* thread count the scratch was sized for */
    uint64_t dropout_state;       /* seeded stream for dropout masks */
    int last_training;            /* mode of the last forward (backward follows it) */
    int last_batch;               /* batch size of the last forward */

    Device device;
    void *dev;                    /* backend-private state (kernels/), NULL on CPU */
} Net;

/* Parse a spec.  `src` names the text in error messages.  in_c/h/w > 0 override the
 * spec's input line; n_classes is used by "linear classes".  Returns NULL and writes
 * one line to err on failure. */
Net *net_parse(const char *text, const char *src, int in_c, int in_h, int in_w,
               int n_classes, char *err, size_t errlen);
/* Check a spec's words without laying it out (no input shape needed): unknown layers, bad
 * options, no layers, a last layer other than linear.  0 or -1 with one line in err. */
int net_spec_check(const char *text, const char *src, char *err, size_t errlen);
Net *net_load_spec_file(const char *path, int in_c, int in_h, int in_w, int n_classes,
                        char *err, size_t errlen);
void net_free(Net *net);

/* He (Kaiming normal, fan_in) init for conv/linear weights, zero biases, bn gamma=1
 * beta=0, running mean 0 var 1.  Deterministic for a seed. */
void net_init(Net *net, uint64_t seed);

/* Make activations room for batches of up to B samples (no-op if already). */
void net_reserve(Net *net, int B);

/* Forward B samples x [B][in_c][in_h][in_w]; training selects bn batch statistics
 * and dropout.  Returns the logits [B][n_classes] (a host pointer valid until the
 * next call). */
const float *net_forward(Net *net, const float *x, int B, int training);
/* Backward from dlogits [B][n_classes]; ACCUMULATES parameter gradients into
 * net->grads (call net_zero_grad first). Uses the state of the last forward. */
void net_backward(Net *net, const float *dlogits, int B);
/* The same, with a second loss on the output of layer `layer` (0 <= layer < n_layers - 1): its gradient
 * extra [B][net_layer_size(layer)] is added to the gradient arriving at that output from above. */
void net_backward_extra(Net *net, const float *dlogits, int B, int layer, const float *extra);
void net_zero_grad(Net *net);

/* Output of layer i (0-based) of the last forward, [B][out_c*out_h*out_w] on the host.
 * The penultimate features of a net ending in "gap, linear" are layer n_layers-2. */
const float *net_layer_output(Net *net, int i);
/* floats per sample of layer i's output (inline: the CUDA backend uses it without calling back into net.c) */
static inline int net_layer_size(const Net *net, int i) {
    const Layer *L = &net->layers[i];
    return L->out_c * L->out_h * L->out_w;
}
int net_feature_layer(const Net *net);               /* index of the layer feeding the last linear */

/* Checkpoint tensor naming: fills name for tensor t of layer i; returns the number of
 * tensors (weight/bias/running_mean/running_var) that layer has. */
typedef struct { char name[64]; float *data; size_t len; int ndim; int64_t shape[4]; int is_stat; } NetTensor;
int net_tensors(Net *net, NetTensor *out, int max);

/* FLOPs (multiply-add = 2) of one forward pass of one sample. */
double net_forward_flops(const Net *net);

/* Copy params/stats between two nets of the same spec. */
void net_copy_weights(Net *dst, const Net *src);
Net *net_clone(const Net *src);

/* Device selection: "cpu", "cuda", "auto".  Returns 0 or -1 with a message in err. */
int net_set_device(Net *net, const char *device, char *err, size_t errlen);
/* When the backend keeps weights elsewhere (CUDA), bring params/stats/grads to
 * the host buffers or push host buffers to the device. No-ops on CPU. */
void net_sync_to_host(Net *net);
void net_sync_to_device(Net *net);
/* Host<->device round-trip counter: the number of WHOLE-BUFFER copies between host and
 * device so far, process-wide, over all nets — each copy of a parameter-sized buffer
 * (params, grads, bn stats, optimiser m or v, a parameter mask, a device vector of
 * importance scores or original weights) counts 1, in either direction.  Per-batch data
 * is not counted: the input batch, the logits [B][K] the host loss needs, dlogits, dropout
 * masks, layer outputs (activations, not parameters).  A method's per-step loop should
 * leave it unchanged on a GPU net (tests/gpu/run.sh checks); it is always 0 for CPU nets
 * and in builds without CUDA.  Cheap: one atomic add per copy. */
long net_transfer_count(void);

#endif
