/* cuda_backend.cu — the GPU twin of the CPU network driver (cuda_backend.h).
 *
 * Layer by layer:
 *   conv2d        cuDNN forward / backward-data / backward-filter (cross-correlation,
 *                 PyTorch weight order), algorithms found once per layer shape and
 *                 batch size with cudnnFind*Algorithm (cached process-wide), one
 *                 workspace per net grown to the largest need; bias: own kernels
 *   batchnorm2d   cuDNN spatial batch norm: training uses batch statistics and
 *                 updates the running ones with exponentialAverageFactor = momentum
 *                 (cuDNN folds in the unbiased batch variance, as PyTorch does);
 *                 eval uses the running statistics; backward after an eval forward
 *                 (fixed statistics) is our own kernel
 *   relu          cuDNN activation;  leaky relu: own kernels
 *   max/avg pool  cuDNN pooling (max: deterministic variant, padding never wins;
 *                 avg: count_include_pad)
 *   gap           own kernels;  flatten: aliases its input (no copy)
 *   linear        cuBLAS sgemm on row-major [B][IN] x [OUT][IN]^T; bias: own kernels
 *   dropout       the mask is drawn ON THE HOST by the CPU's own dropout_forward()
 *                 with net->dropout_state (so CPU and GPU draw bit-identical masks
 *                 from the same stream), then uploaded; applied by a kernel
 *
 * UNLEARN_CUDA_STRICT=1 (read when a net is attached) is for parity checks:
 * convolutions restricted to CUDNN_FMA_MATH (no TF32) and deterministic
 * algorithms, cuBLAS in CUBLAS_PEDANTIC_MATH.  Otherwise CUDNN_DEFAULT_MATH
 * (TF32 tensor cores allowed on Ampere+) and CUBLAS_DEFAULT_MATH (FP32).
 * UNLEARN_CUDA_WS_MB caps the workspace an algorithm may ask for (default 1024).
 */
#include "cuda_internal.h"
#include <atomic>
#include <mutex>
#include <vector>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cuda_available(char *err, size_t errlen) {
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess) {
        snprintf(err, errlen, "no usable CUDA device: %s", cudaGetErrorString(e));
        (void)cudaGetLastError();   /* clear the sticky-free error state */
        return -1;
    }
    if (n <= 0) {
        snprintf(err, errlen, "no usable CUDA device: %s", cudaGetErrorString(cudaErrorNoDevice));
        return -1;
    }
    return 0;
}

/* ---- whole-buffer transfer count (cuda_internal.h) ---- */

static std::atomic<long> transfers{0};
void cuda_count_transfers(int n) { transfers += n; }
long cuda_transfer_count(void) { return transfers.load(); }

/* ---- pinned host staging ---- */

static void grow_pinned(void **p, size_t *cap, size_t bytes) {
    if (bytes <= *cap) return;
    if (*p) CK(cudaFreeHost(*p));
    *p = NULL;
    CK(cudaMallocHost(p, bytes));
    *cap = bytes;
}

/* ---- conv algorithm choice, cached process-wide by shape ---- */

typedef struct {
    int dev, strict, B, C, H, W, OC, K, S, P;
    size_t ws_limit;
    ConvAlgos a;
} AlgoEntry;

static std::mutex g_algo_mu;
static std::vector<AlgoEntry> g_algos;

static bool algo_ok(int strict, cudnnStatus_t st, cudnnDeterminism_t det,
                    cudnnMathType_t math, size_t mem, size_t limit) {
    if (st != CUDNN_STATUS_SUCCESS || mem > limit) return false;
    if (strict && (det != CUDNN_DETERMINISTIC || math == CUDNN_TENSOR_OP_MATH ||
                   math == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION))
        return false;
    return true;
}

/* One direction's search: cudnnFind (measured, fastest first), then the _v7 heuristics if Find
 * offered nothing acceptable; the first acceptable entry gives the algorithm, its math type (strict:
 * the one asked for) and its workspace.  find / heur fill perf[0..*n) given the array size; their
 * names go into the fatal message if cuDNN fails.  0, or -1 with err naming the direction. */
template <typename Perf, int COUNT, typename Algo, typename FindFn, typename HeurFn>
static int search_conv_algo(const CudaNet *c, cudnnMathType_t want, FindFn find, const char *find_name,
                            HeurFn heur, const char *heur_name, Algo *algo, cudnnMathType_t *math, size_t *ws,
                            const char *what, char *err, size_t errlen) {
    Perf perf[COUNT];
    for (int pass = 0; pass < 2; pass++) {
        int n = 0;
        cudnnStatus_t st = pass == 0 ? find(COUNT, &n, perf) : heur(COUNT, &n, perf);
        if (st != CUDNN_STATUS_SUCCESS)
            cu_fatal(pass == 0 ? find_name : heur_name, cudnnGetErrorString(st), __FILE__, __LINE__);
        for (int i = 0; i < n; i++)
            if (algo_ok(c->strict, perf[i].status, perf[i].determinism, perf[i].mathType, perf[i].memory,
                        c->ws_limit)) {
                *algo = perf[i].algo;
                *math = c->strict ? want : perf[i].mathType;
                *ws = perf[i].memory;
                return 0;
            }
    }
    snprintf(err, errlen, "no usable cuDNN %s convolution algorithm", what);
    return -1;
}

/* Pick the fastest acceptable algorithm per direction (search_conv_algo). */
static int find_conv_algos(CudaNet *c, CudaLayer *cl, ConvAlgos *out, char *err, size_t errlen) {
    const cudnnMathType_t want = c->strict ? CUDNN_FMA_MATH : CUDNN_DEFAULT_MATH;
    CKDNN(cudnnSetConvolutionMathType(cl->conv_fwd, want));
    CKDNN(cudnnSetConvolutionMathType(cl->conv_data, want));
    CKDNN(cudnnSetConvolutionMathType(cl->conv_filt, want));
    if (search_conv_algo<cudnnConvolutionFwdAlgoPerf_t, CUDNN_CONVOLUTION_FWD_ALGO_COUNT>(
            c, want,
            [&](int cnt, int *n, cudnnConvolutionFwdAlgoPerf_t *perf) {
                return cudnnFindConvolutionForwardAlgorithm(c->dnn, cl->x_desc, cl->w_desc, cl->conv_fwd, cl->y_desc,
                                                            cnt, n, perf);
            }, "cudnnFindConvolutionForwardAlgorithm",
            [&](int cnt, int *n, cudnnConvolutionFwdAlgoPerf_t *perf) {
                return cudnnGetConvolutionForwardAlgorithm_v7(c->dnn, cl->x_desc, cl->w_desc, cl->conv_fwd, cl->y_desc,
                                                              cnt, n, perf);
            }, "cudnnGetConvolutionForwardAlgorithm_v7",
            &out->fwd, &out->m_fwd, &out->ws_fwd, "forward", err, errlen))
        return -1;
    if (search_conv_algo<cudnnConvolutionBwdDataAlgoPerf_t, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT>(
            c, want,
            [&](int cnt, int *n, cudnnConvolutionBwdDataAlgoPerf_t *perf) {
                return cudnnFindConvolutionBackwardDataAlgorithm(c->dnn, cl->w_desc, cl->y_desc, cl->conv_data,
                                                                 cl->x_desc, cnt, n, perf);
            }, "cudnnFindConvolutionBackwardDataAlgorithm",
            [&](int cnt, int *n, cudnnConvolutionBwdDataAlgoPerf_t *perf) {
                return cudnnGetConvolutionBackwardDataAlgorithm_v7(c->dnn, cl->w_desc, cl->y_desc, cl->conv_data,
                                                                   cl->x_desc, cnt, n, perf);
            }, "cudnnGetConvolutionBackwardDataAlgorithm_v7",
            &out->data, &out->m_data, &out->ws_data, "backward-data", err, errlen))
        return -1;
    return search_conv_algo<cudnnConvolutionBwdFilterAlgoPerf_t, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT>(
        c, want,
        [&](int cnt, int *n, cudnnConvolutionBwdFilterAlgoPerf_t *perf) {
            return cudnnFindConvolutionBackwardFilterAlgorithm(c->dnn, cl->x_desc, cl->y_desc, cl->conv_filt,
                                                               cl->w_desc, cnt, n, perf);
        }, "cudnnFindConvolutionBackwardFilterAlgorithm",
        [&](int cnt, int *n, cudnnConvolutionBwdFilterAlgoPerf_t *perf) {
            return cudnnGetConvolutionBackwardFilterAlgorithm_v7(c->dnn, cl->x_desc, cl->y_desc, cl->conv_filt,
                                                                 cl->w_desc, cnt, n, perf);
        }, "cudnnGetConvolutionBackwardFilterAlgorithm_v7",
        &out->filt, &out->m_filt, &out->ws_filt, "backward-filter", err, errlen);
}

static void grow_workspace(CudaNet *c, size_t bytes) {
    if (bytes <= c->ws_size) return;
    CK(cudaStreamSynchronize(c->stream));
    if (c->ws) CK(cudaFree(c->ws));
    c->ws = NULL;
    CK(cudaMalloc(&c->ws, bytes));
    c->ws_size = bytes;
}

/* Describe batch size B in layer i's descriptors; convs get their algorithms. */
static void set_batch(Net *net, int i, int B) {
    CudaNet *c = cuda_state(net);
    CudaLayer *cl = &c->L[i];
    const Layer *L = &net->layers[i];
    if (cl->desc_B == B) return;
    CKDNN(cudnnSetTensor4dDescriptor(cl->x_desc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, B, L->in_c, L->in_h, L->in_w));
    CKDNN(cudnnSetTensor4dDescriptor(cl->y_desc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, B, L->out_c, L->out_h,
                                     L->out_w));
    if (L->type == LAYER_CONV2D) {
        ConvAlgos a;
        int hit = 0;
        {
            std::lock_guard<std::mutex> g(g_algo_mu);
            for (const AlgoEntry &e : g_algos)
                if (e.dev == c->device && e.strict == c->strict && e.B == B && e.C == L->in_c && e.H == L->in_h &&
                    e.W == L->in_w && e.OC == L->out_c && e.K == L->k && e.S == L->stride && e.P == L->pad &&
                    e.ws_limit == c->ws_limit) {
                    a = e.a; hit = 1; break;
                }
        }
        if (!hit) {
            char err[160];
            memset(&a, 0, sizeof a);
            if (find_conv_algos(c, cl, &a, err, sizeof err))
                cu_fatal("conv algorithm search", err, __FILE__, __LINE__);
            AlgoEntry e = {c->device, c->strict, B, L->in_c, L->in_h, L->in_w, L->out_c, L->k, L->stride, L->pad,
                           c->ws_limit, a};
            std::lock_guard<std::mutex> g(g_algo_mu);
            g_algos.push_back(e);
        }
        cl->algo = a;
        CKDNN(cudnnSetConvolutionMathType(cl->conv_fwd, a.m_fwd));
        CKDNN(cudnnSetConvolutionMathType(cl->conv_data, a.m_data));
        CKDNN(cudnnSetConvolutionMathType(cl->conv_filt, a.m_filt));
        size_t need = a.ws_fwd;
        if (a.ws_data > need) need = a.ws_data;
        if (a.ws_filt > need) need = a.ws_filt;
        grow_workspace(c, need);
    }
    cl->desc_B = B;
}

/* ---- activations for up to B samples ---- */

static void free_activations(CudaNet *c, Net *net) {
    if (c->act_mem) CK(cudaFree(c->act_mem));
    if (c->dbuf) CK(cudaFree(c->dbuf));
    c->act_mem = c->dbuf = NULL;
    for (int i = 0; i < net->n_layers; i++) {
        if (c->L[i].mask) CK(cudaFree(c->L[i].mask));
        if (c->L[i].h_mask) CK(cudaFreeHost(c->L[i].h_mask));
        c->L[i].mask = c->L[i].h_mask = NULL;
    }
    c->cap_B = 0;
}

static void ensure_batch(Net *net, int B) {
    CudaNet *c = cuda_state(net);
    if (B <= c->cap_B) return;
    CK(cudaStreamSynchronize(c->stream));
    free_activations(c, net);
    size_t off = (c->in_sz * (size_t)B + 63) & ~(size_t)63, prev = 0;
    for (int i = 0; i < net->n_layers; i++) {
        CudaLayer *cl = &c->L[i];
        if (cl->alias) { cl->act_off = prev; continue; }
        cl->act_off = off;
        prev = off;
        off += (size_t)B * net_layer_size(net, i);
        off = (off + 63) & ~(size_t)63;       /* 256-byte aligned tensors */
    }
    CK(cudaMalloc(&c->act_mem, off * sizeof(float)));
    CK(cudaMalloc(&c->dbuf, 2 * c->max_sz * (size_t)B * sizeof(float)));
    size_t drop_need = 0;
    for (int i = 0; i < net->n_layers; i++)
        if (net->layers[i].type == LAYER_DROPOUT) {
            size_t n = (size_t)B * net_layer_size(net, i);
            CK(cudaMalloc(&c->L[i].mask, n * sizeof(float)));
            CK(cudaMallocHost(&c->L[i].h_mask, n * sizeof(float)));
            if (n > drop_need) drop_need = n;
        }
    if (drop_need * sizeof(float) > c->h_drop_cap) {
        if (c->h_ones) CK(cudaFreeHost(c->h_ones));
        if (c->h_scratch) CK(cudaFreeHost(c->h_scratch));
        CK(cudaMallocHost(&c->h_ones, drop_need * sizeof(float)));
        CK(cudaMallocHost(&c->h_scratch, drop_need * sizeof(float)));
        for (size_t j = 0; j < drop_need; j++) c->h_ones[j] = 1.0f;
        c->h_drop_cap = drop_need * sizeof(float);
    }
    c->cap_B = B;
}

/* ---- attach / detach ---- */

static void destroy_state(Net *net, CudaNet *c) {
    if (c->stream) cudaStreamSynchronize(c->stream);
    if (c->L) {
        free_activations(c, net);
        for (int i = 0; i < net->n_layers; i++) {
            CudaLayer *cl = &c->L[i];
            if (cl->x_desc) cudnnDestroyTensorDescriptor(cl->x_desc);
            if (cl->y_desc) cudnnDestroyTensorDescriptor(cl->y_desc);
            if (cl->bn_desc) cudnnDestroyTensorDescriptor(cl->bn_desc);
            if (cl->w_desc) cudnnDestroyFilterDescriptor(cl->w_desc);
            if (cl->conv_fwd) cudnnDestroyConvolutionDescriptor(cl->conv_fwd);
            if (cl->conv_data) cudnnDestroyConvolutionDescriptor(cl->conv_data);
            if (cl->conv_filt) cudnnDestroyConvolutionDescriptor(cl->conv_filt);
            if (cl->pool) cudnnDestroyPoolingDescriptor(cl->pool);
            if (cl->act) cudnnDestroyActivationDescriptor(cl->act);
            if (cl->save_mean) cudaFree(cl->save_mean);
            if (cl->save_invstd) cudaFree(cl->save_invstd);
        }
        free(c->L);
    }
    for (int s = 0; s < CUDA_OPT_SLOTS; s++) {
        if (c->opt[s].m) cudaFree(c->opt[s].m);
        if (c->opt[s].v) cudaFree(c->opt[s].v);
    }
    if (c->params) cudaFree(c->params);
    if (c->grads) cudaFree(c->grads);
    if (c->stats) cudaFree(c->stats);
    if (c->part) cudaFree(c->part);
    if (c->ws) cudaFree(c->ws);
    if (c->d_u8) cudaFree(c->d_u8);
    if (c->h_u8) cudaFreeHost(c->h_u8);
    if (c->h_in) cudaFreeHost(c->h_in);
    if (c->h_logits) cudaFreeHost(c->h_logits);
    if (c->h_dl) cudaFreeHost(c->h_dl);
    if (c->h_out) cudaFreeHost(c->h_out);
    if (c->h_ones) cudaFreeHost(c->h_ones);
    if (c->h_scratch) cudaFreeHost(c->h_scratch);
    if (c->dl_done) cudaEventDestroy(c->dl_done);
    if (c->u8_done) cudaEventDestroy(c->u8_done);
    if (c->blas) cublasDestroy(c->blas);
    if (c->dnn) cudnnDestroy(c->dnn);
    if (c->stream) cudaStreamDestroy(c->stream);
    free(c);
}

/* attach-time checks return messages instead of exiting */
#define AT(call, what) do { cudaError_t e_ = (call); if (e_ != cudaSuccess) { \
    snprintf(err, errlen, "%s: %s", what, cudaGetErrorString(e_)); goto fail; } } while (0)
#define ATDNN(call, what) do { cudnnStatus_t s_ = (call); if (s_ != CUDNN_STATUS_SUCCESS) { \
    snprintf(err, errlen, "%s: %s", what, cudnnGetErrorString(s_)); goto fail; } } while (0)

/* Layer i's cuDNN descriptors (checked against the spec's shapes) and device state.  What is created
 * is kept in c->L[i], so destroy_state releases it on failure too.  0 or -1 with err. */
static int attach_layer(const Net *net, CudaNet *c, int i, char *err, size_t errlen) {
    const Layer *L = &net->layers[i];
    CudaLayer *cl = &c->L[i];
    cl->alias = L->type == LAYER_FLATTEN;
    ATDNN(cudnnCreateTensorDescriptor(&cl->x_desc), "cudnnCreateTensorDescriptor");
    ATDNN(cudnnCreateTensorDescriptor(&cl->y_desc), "cudnnCreateTensorDescriptor");
    /* validate with a batch of one; the real batch size is set per forward */
    ATDNN(cudnnSetTensor4dDescriptor(cl->x_desc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, L->in_c, L->in_h,
                                     L->in_w), "input tensor descriptor");
    ATDNN(cudnnSetTensor4dDescriptor(cl->y_desc, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, 1, L->out_c, L->out_h,
                                     L->out_w), "output tensor descriptor");
    cl->desc_B = 1;
    int n, ch, h, w;
    switch (L->type) {
    case LAYER_CONV2D:
        ATDNN(cudnnCreateFilterDescriptor(&cl->w_desc), "cudnnCreateFilterDescriptor");
        ATDNN(cudnnSetFilter4dDescriptor(cl->w_desc, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, L->out_c, L->in_c, L->k,
                                         L->k), "filter descriptor");
        ATDNN(cudnnCreateConvolutionDescriptor(&cl->conv_fwd), "cudnnCreateConvolutionDescriptor");
        ATDNN(cudnnCreateConvolutionDescriptor(&cl->conv_data), "cudnnCreateConvolutionDescriptor");
        ATDNN(cudnnCreateConvolutionDescriptor(&cl->conv_filt), "cudnnCreateConvolutionDescriptor");
        ATDNN(cudnnSetConvolution2dDescriptor(cl->conv_fwd, L->pad, L->pad, L->stride, L->stride, 1, 1,
                                              CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "conv descriptor");
        ATDNN(cudnnSetConvolution2dDescriptor(cl->conv_data, L->pad, L->pad, L->stride, L->stride, 1, 1,
                                              CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "conv descriptor");
        ATDNN(cudnnSetConvolution2dDescriptor(cl->conv_filt, L->pad, L->pad, L->stride, L->stride, 1, 1,
                                              CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "conv descriptor");
        ATDNN(cudnnGetConvolution2dForwardOutputDim(cl->conv_fwd, cl->x_desc, cl->w_desc, &n, &ch, &h, &w),
              "conv output size");
        if (ch != L->out_c || h != L->out_h || w != L->out_w) {
            snprintf(err, errlen, "layer %d (line %d): cuDNN conv output %dx%dx%d, spec says %dx%dx%d", i,
                     L->line, ch, h, w, L->out_c, L->out_h, L->out_w);
            goto fail;
        }
        cl->desc_B = 0;   /* algorithms are chosen on the first forward */
        break;
    case LAYER_BATCHNORM2D:
        ATDNN(cudnnCreateTensorDescriptor(&cl->bn_desc), "cudnnCreateTensorDescriptor");
        ATDNN(cudnnDeriveBNTensorDescriptor(cl->bn_desc, cl->x_desc, CUDNN_BATCHNORM_SPATIAL), "bn descriptor");
        AT(cudaMalloc(&cl->save_mean, (size_t)L->out_c * sizeof(float)), "allocating bn state");
        AT(cudaMalloc(&cl->save_invstd, (size_t)L->out_c * sizeof(float)), "allocating bn state");
        if ((double)L->eps < CUDNN_BN_MIN_EPSILON) {
            snprintf(err, errlen, "layer %d (line %d): bn eps %g is below cuDNN's minimum %g", i, L->line,
                     (double)L->eps, (double)CUDNN_BN_MIN_EPSILON);
            goto fail;
        }
        break;
    case LAYER_RELU:
        ATDNN(cudnnCreateActivationDescriptor(&cl->act), "cudnnCreateActivationDescriptor");
        ATDNN(cudnnSetActivationDescriptor(cl->act, CUDNN_ACTIVATION_RELU, CUDNN_PROPAGATE_NAN, 0.0),
              "activation descriptor");
        break;
    case LAYER_MAXPOOL: case LAYER_AVGPOOL:
        ATDNN(cudnnCreatePoolingDescriptor(&cl->pool), "cudnnCreatePoolingDescriptor");
        ATDNN(cudnnSetPooling2dDescriptor(cl->pool,
                                          L->type == LAYER_MAXPOOL ? CUDNN_POOLING_MAX_DETERMINISTIC
                                                                   : CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING,
                                          CUDNN_PROPAGATE_NAN, L->k, L->k, L->pad, L->pad, L->stride, L->stride),
              "pooling descriptor");
        ATDNN(cudnnGetPooling2dForwardOutputDim(cl->pool, cl->x_desc, &n, &ch, &h, &w), "pooling output size");
        if (ch != L->out_c || h != L->out_h || w != L->out_w) {
            snprintf(err, errlen, "layer %d (line %d): cuDNN pooling output %dx%dx%d, spec says %dx%dx%d", i,
                     L->line, ch, h, w, L->out_c, L->out_h, L->out_w);
            goto fail;
        }
        break;
    case LAYER_LINEAR:
        if (L->w_len != (size_t)L->in_c * L->in_h * L->in_w * L->out_c) {
            snprintf(err, errlen, "layer %d (line %d): linear weight length %zu does not match %dx%d", i,
                     L->line, L->w_len, L->out_c, L->in_c * L->in_h * L->in_w);
            goto fail;
        }
        break;
    default: break;
    }
    return 0;
fail:
    return -1;
}

int cuda_net_attach(Net *net, char *err, size_t errlen) {
    if (net->dev) return 0;
    CudaNet *c = (CudaNet *)calloc(1, sizeof(CudaNet));
    if (!c) { snprintf(err, errlen, "out of host memory"); return -1; }
    net->dev = c;
    {
        const char *s = getenv("UNLEARN_CUDA_STRICT");
        c->strict = s && !strcmp(s, "1");
        const char *w = getenv("UNLEARN_CUDA_WS_MB");
        long mb = w && *w ? atol(w) : 1024;
        if (mb < 0) mb = 0;
        c->ws_limit = (size_t)mb << 20;
    }
    AT(cudaGetDevice(&c->device), "cudaGetDevice");
    AT(cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking), "cudaStreamCreate");
    AT(cudaEventCreateWithFlags(&c->dl_done, cudaEventDisableTiming), "cudaEventCreate");
    AT(cudaEventCreateWithFlags(&c->u8_done, cudaEventDisableTiming), "cudaEventCreate");
    ATDNN(cudnnCreate(&c->dnn), "cudnnCreate");
    ATDNN(cudnnSetStream(c->dnn, c->stream), "cudnnSetStream");
    {
        cublasStatus_t s = cublasCreate(&c->blas);
        if (s == CUBLAS_STATUS_SUCCESS) s = cublasSetStream(c->blas, c->stream);
        if (s == CUBLAS_STATUS_SUCCESS)
            s = cublasSetMathMode(c->blas, c->strict ? CUBLAS_PEDANTIC_MATH : CUBLAS_DEFAULT_MATH);
        if (s != CUBLAS_STATUS_SUCCESS) {
            snprintf(err, errlen, "cuBLAS set-up: %s", cublasGetStatusString(s));
            goto fail;
        }
    }
    {
        const size_t np = net->n_params ? net->n_params : 1, ns = net->n_stats ? net->n_stats : 1;
        AT(cudaMalloc(&c->params, np * sizeof(float)), "allocating parameters on the GPU");
        AT(cudaMalloc(&c->grads, np * sizeof(float)), "allocating gradients on the GPU");
        AT(cudaMalloc(&c->stats, ns * sizeof(float)), "allocating bn statistics on the GPU");
        AT(cudaMalloc(&c->d_u8, np), "allocating the parameter mask on the GPU");
        AT(cudaMallocHost(&c->h_u8, np), "allocating pinned host memory");
        if (net->n_params) {
            AT(cudaMemcpy(c->params, net->params, net->n_params * sizeof(float), cudaMemcpyHostToDevice),
               "uploading parameters");
            AT(cudaMemcpy(c->grads, net->grads, net->n_params * sizeof(float), cudaMemcpyHostToDevice),
               "uploading gradients");
            cuda_count_transfers(2);
        }
        if (net->n_stats) {
            AT(cudaMemcpy(c->stats, net->stats, net->n_stats * sizeof(float), cudaMemcpyHostToDevice),
               "uploading bn statistics");
            cuda_count_transfers(1);
        }
    }
    c->L = (CudaLayer *)calloc((size_t)net->n_layers, sizeof(CudaLayer));
    if (!c->L) { snprintf(err, errlen, "out of host memory"); goto fail; }
    c->in_sz = (size_t)net->in_c * net->in_h * net->in_w;
    c->max_sz = c->in_sz;
    c->max_c = 1;
    for (int i = 0; i < net->n_layers; i++) {
        const Layer *L = &net->layers[i];
        const size_t out = (size_t)net_layer_size(net, i);
        if (out > c->max_sz) c->max_sz = out;
        if (L->out_c > c->max_c) c->max_c = L->out_c;
        if (attach_layer(net, c, i, err, errlen)) goto fail;
    }
    AT(cudaMalloc(&c->part, 2 * (size_t)c->max_c * RED_SPLITS * sizeof(float)), "allocating reduction scratch");
    return 0;
fail:
    destroy_state(net, c);
    net->dev = NULL;
    (void)cudaGetLastError();
    return -1;
}

void cuda_net_detach(Net *net) {
    CudaNet *c = cuda_state(net);
    if (!c) return;
    destroy_state(net, c);
    net->dev = NULL;
}

/* ---- forward ---- */

static float *layer_in(CudaNet *c, int i) { return cuda_act(c, i); }
static float *layer_out(CudaNet *c, int i) { return cuda_act(c, i + 1); }

const float *cuda_net_forward(Net *net, const float *x, int B, int training) {
    CudaNet *c = cuda_state(net);
    if (!c) { fprintf(stderr, "cuda_net_forward: the net is not attached to the GPU\n"); exit(3); }
    if (B <= 0) return c->h_logits;
    ensure_batch(net, B);
    const float one = 1.0f, zero = 0.0f;
    cudaStream_t s = c->stream;
    const float *P = c->params;

    /* input: host -> pinned staging -> device (the previous forward synchronised, so staging is free) */
    const size_t in_bytes = (size_t)B * c->in_sz * sizeof(float);
    grow_pinned((void **)&c->h_in, &c->h_in_cap, in_bytes);
    memcpy(c->h_in, x, in_bytes);
    CK(cudaMemcpyAsync(c->act_mem, c->h_in, in_bytes, cudaMemcpyHostToDevice, s));

    for (int i = 0; i < net->n_layers; i++) {
        const Layer *L = &net->layers[i];
        CudaLayer *cl = &c->L[i];
        set_batch(net, i, B);
        float *in = layer_in(c, i), *out = layer_out(c, i);
        const size_t n_out = (size_t)B * net_layer_size(net, i);
        switch (L->type) {
        case LAYER_CONV2D:
            CKDNN(cudnnConvolutionForward(c->dnn, &one, cl->x_desc, in, cl->w_desc, P + L->w_off, cl->conv_fwd,
                                          cl->algo.fwd, c->ws, c->ws_size, &zero, cl->y_desc, out));
            if (L->b_len) k_bias_add(s, out, P + L->b_off, B, L->out_c, L->out_h * L->out_w);
            break;
        case LAYER_BATCHNORM2D: {
            float *rm = c->stats + L->stat_off, *rv = rm + L->out_c;
            if (training)
                CKDNN(cudnnBatchNormalizationForwardTraining(
                    c->dnn, CUDNN_BATCHNORM_SPATIAL, &one, &zero, cl->x_desc, in, cl->y_desc, out, cl->bn_desc,
                    P + L->w_off, P + L->b_off, (double)L->momentum, rm, rv, (double)L->eps, cl->save_mean,
                    cl->save_invstd));
            else
                CKDNN(cudnnBatchNormalizationForwardInference(c->dnn, CUDNN_BATCHNORM_SPATIAL, &one, &zero,
                                                              cl->x_desc, in, cl->y_desc, out, cl->bn_desc,
                                                              P + L->w_off, P + L->b_off, rm, rv, (double)L->eps));
            break;
        }
        case LAYER_RELU:
            CKDNN(cudnnActivationForward(c->dnn, cl->act, &one, cl->x_desc, in, &zero, cl->y_desc, out));
            break;
        case LAYER_LEAKY_RELU: k_leaky_fwd(s, out, in, n_out, L->slope); break;
        case LAYER_DROPOUT:
            /* the CPU's own dropout_forward draws the mask from net->dropout_state (also in eval
             * mode, so the stream advances exactly as on the CPU); input of ones, output ignored */
            dropout_forward(c->h_scratch, cl->h_mask, c->h_ones, n_out, L->p, &net->dropout_state, training);
            if (training) {
                CK(cudaMemcpyAsync(cl->mask, cl->h_mask, n_out * sizeof(float), cudaMemcpyHostToDevice, s));
                k_mul(s, out, in, cl->mask, n_out);
            } else {
                CK(cudaMemcpyAsync(out, in, n_out * sizeof(float), cudaMemcpyDeviceToDevice, s));
            }
            break;
        case LAYER_MAXPOOL: case LAYER_AVGPOOL:
            CKDNN(cudnnPoolingForward(c->dnn, cl->pool, &one, cl->x_desc, in, &zero, cl->y_desc, out));
            break;
        case LAYER_GLOBAL_AVGPOOL: k_gap_fwd(s, out, in, B * L->in_c, L->in_h * L->in_w); break;
        case LAYER_FLATTEN: break;   /* out aliases in */
        case LAYER_LINEAR: {
            const int IN = L->in_c * L->in_h * L->in_w, OUT = L->out_c;
            /* column-major view: out^T[OUT][B] = W^T(col-major IN x OUT, ld IN)^T * in^T(IN x B) */
            CKBLAS(cublasSgemm(c->blas, CUBLAS_OP_T, CUBLAS_OP_N, OUT, B, IN, &one, P + L->w_off, IN, in, IN, &zero,
                               out, OUT));
            if (L->b_len) k_bias_add(s, out, P + L->b_off, B, OUT, 1);
            break;
        }
        }
    }
    const size_t lg_bytes = (size_t)B * net->n_classes * sizeof(float);
    grow_pinned((void **)&c->h_logits, &c->h_logits_cap, lg_bytes);
    CK(cudaMemcpyAsync(c->h_logits, layer_out(c, net->n_layers - 1), lg_bytes, cudaMemcpyDeviceToHost, s));
    CK(cudaStreamSynchronize(s));
    c->last_B = B;
    c->last_training = training;
    return c->h_logits;
}

/* ---- backward ---- */

void cuda_net_backward(Net *net, const float *dlogits, int B, int layer, const float *extra) {
    CudaNet *c = cuda_state(net);
    if (!c) { fprintf(stderr, "cuda_net_backward: the net is not attached to the GPU\n"); exit(3); }
    if (B <= 0) return;
    if (B != c->last_B) {
        fprintf(stderr, "cuda_net_backward: batch %d does not match the last forward's %d\n", B, c->last_B);
        exit(3);
    }
    const float one = 1.0f, zero = 0.0f;
    cudaStream_t s = c->stream;
    const float *P = c->params;
    float *G = c->grads;
    const size_t half = c->max_sz * (size_t)c->cap_B;
    float *dcur = c->dbuf, *dother = c->dbuf + half;

    const size_t dl_bytes = (size_t)B * net->n_classes * sizeof(float);
    const size_t ex_n = extra ? (size_t)B * net_layer_size(net, layer) : 0;
    CK(cudaEventSynchronize(c->dl_done));     /* the previous upload has left the staging buffer */
    grow_pinned((void **)&c->h_dl, &c->h_dl_cap, dl_bytes + ex_n * sizeof(float));
    memcpy(c->h_dl, dlogits, dl_bytes);
    if (ex_n) memcpy((char *)c->h_dl + dl_bytes, extra, ex_n * sizeof(float));
    CK(cudaMemcpyAsync(dcur, c->h_dl, dl_bytes, cudaMemcpyHostToDevice, s));
    CK(cudaEventRecord(c->dl_done, s));

    for (int i = net->n_layers - 1; i >= 0; i--) {
        const Layer *L = &net->layers[i];
        CudaLayer *cl = &c->L[i];
        const int need_din = i > 0;
        if (!need_din && L->w_len == 0) continue;
        float *in = layer_in(c, i), *out = layer_out(c, i), *din = dother;
        const size_t n_out = (size_t)B * net_layer_size(net, i);
        if (ex_n && i == layer) {   /* the second loss's gradient, staged through the cuDNN workspace */
            grow_workspace(c, ex_n * sizeof(float));
            CK(cudaMemcpyAsync(c->ws, (char *)c->h_dl + dl_bytes, ex_n * sizeof(float), cudaMemcpyHostToDevice, s));
            k_add(s, dcur, (const float *)c->ws, ex_n);
            CK(cudaEventRecord(c->dl_done, s));   /* h_dl is free again only after this copy */
        }
        switch (L->type) {
        case LAYER_CONV2D:
            if (L->b_len) k_bias_grad(s, G + L->b_off, dcur, B, L->out_c, L->out_h * L->out_w, c->part);
            CKDNN(cudnnConvolutionBackwardFilter(c->dnn, &one, cl->x_desc, in, cl->y_desc, dcur, cl->conv_filt,
                                                 cl->algo.filt, c->ws, c->ws_size, &one, cl->w_desc, G + L->w_off));
            if (need_din)
                CKDNN(cudnnConvolutionBackwardData(c->dnn, &one, cl->w_desc, P + L->w_off, cl->y_desc, dcur,
                                                   cl->conv_data, cl->algo.data, c->ws, c->ws_size, &zero,
                                                   cl->x_desc, din));
            break;
        case LAYER_BATCHNORM2D:
            if (c->last_training)
                CKDNN(cudnnBatchNormalizationBackward(c->dnn, CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one, &one,
                                                      cl->x_desc, in, cl->y_desc, dcur, cl->x_desc, din, cl->bn_desc,
                                                      P + L->w_off, G + L->w_off, G + L->b_off, (double)L->eps,
                                                      cl->save_mean, cl->save_invstd));
            else
                k_bn_eval_bwd(s, din, G + L->w_off, G + L->b_off, dcur, in, P + L->w_off, c->stats + L->stat_off,
                              c->stats + L->stat_off + L->out_c, L->eps, B, L->out_c, L->out_h * L->out_w, c->part);
            break;
        case LAYER_RELU:
            CKDNN(cudnnActivationBackward(c->dnn, cl->act, &one, cl->y_desc, out, cl->y_desc, dcur, cl->x_desc, in,
                                          &zero, cl->x_desc, din));
            break;
        case LAYER_LEAKY_RELU: k_leaky_bwd(s, din, dcur, in, n_out, L->slope); break;
        case LAYER_DROPOUT:
            if (c->last_training) k_mul(s, din, dcur, cl->mask, n_out);
            else CK(cudaMemcpyAsync(din, dcur, n_out * sizeof(float), cudaMemcpyDeviceToDevice, s));
            break;
        case LAYER_MAXPOOL: case LAYER_AVGPOOL:
            CKDNN(cudnnPoolingBackward(c->dnn, cl->pool, &one, cl->y_desc, out, cl->y_desc, dcur, cl->x_desc, in,
                                       &zero, cl->x_desc, din));
            break;
        case LAYER_GLOBAL_AVGPOOL: k_gap_bwd(s, din, dcur, B * L->in_c, L->in_h * L->in_w); break;
        case LAYER_FLATTEN: continue;     /* the gradient passes through unchanged, no swap */
        case LAYER_LINEAR: {
            const int IN = L->in_c * L->in_h * L->in_w, OUT = L->out_c;
            if (L->b_len) k_bias_grad(s, G + L->b_off, dcur, B, OUT, 1, c->part);
            /* dW[OUT][IN] += dout^T in: column-major dW^T(IN x OUT) += in^T(IN x B) * dout(B x OUT) */
            CKBLAS(cublasSgemm(c->blas, CUBLAS_OP_N, CUBLAS_OP_T, IN, OUT, B, &one, in, IN, dcur, OUT, &one,
                               G + L->w_off, IN));
            /* din[B][IN] = dout W: column-major din^T(IN x B) = W^T(IN x OUT) * dout^T(OUT x B) */
            if (need_din)
                CKBLAS(cublasSgemm(c->blas, CUBLAS_OP_N, CUBLAS_OP_N, IN, B, OUT, &one, P + L->w_off, IN, dcur, OUT,
                                   &zero, din, IN));
            break;
        }
        }
        float *t = dcur; dcur = din; dother = t;
    }
    /* errors of asynchronous work surface at the next synchronising call */
}

void cuda_net_zero_grad(Net *net) {
    CudaNet *c = cuda_state(net);
    if (!c || !net->n_params) return;
    CK(cudaMemsetAsync(c->grads, 0, net->n_params * sizeof(float), c->stream));
}

void cuda_net_sync_to_host(Net *net) {
    CudaNet *c = cuda_state(net);
    if (!c) return;
    cudaStream_t s = c->stream;
    if (net->n_params) {
        CK(cudaMemcpyAsync(net->params, c->params, net->n_params * sizeof(float), cudaMemcpyDeviceToHost, s));
        CK(cudaMemcpyAsync(net->grads, c->grads, net->n_params * sizeof(float), cudaMemcpyDeviceToHost, s));
        cuda_count_transfers(2);
    }
    if (net->n_stats) {
        CK(cudaMemcpyAsync(net->stats, c->stats, net->n_stats * sizeof(float), cudaMemcpyDeviceToHost, s));
        cuda_count_transfers(1);
    }
    CK(cudaStreamSynchronize(s));
}

void cuda_net_sync_to_device(Net *net) {
    CudaNet *c = cuda_state(net);
    if (!c) return;
    cudaStream_t s = c->stream;
    if (net->n_params) {
        CK(cudaMemcpyAsync(c->params, net->params, net->n_params * sizeof(float), cudaMemcpyHostToDevice, s));
        cuda_count_transfers(1);
    }
    if (net->n_stats) {
        CK(cudaMemcpyAsync(c->stats, net->stats, net->n_stats * sizeof(float), cudaMemcpyHostToDevice, s));
        cuda_count_transfers(1);
    }
    CK(cudaStreamSynchronize(s));
}

const float *cuda_net_layer_output(Net *net, int i, int B) {
    CudaNet *c = cuda_state(net);
    if (!c || i < 0 || i >= net->n_layers || c->last_B <= 0) return NULL;
    /* net.c passes net->max_batch, which the CUDA path never sets: use the last forward's batch */
    if (B <= 0 || B > c->last_B) B = c->last_B;
    const size_t bytes = (size_t)B * net_layer_size(net, i) * sizeof(float);
    grow_pinned((void **)&c->h_out, &c->h_out_cap, bytes);
    CK(cudaMemcpyAsync(c->h_out, layer_out(c, i), bytes, cudaMemcpyDeviceToHost, c->stream));
    CK(cudaStreamSynchronize(c->stream));
    return c->h_out;
}
