// Native CPU kernels for Attune's TensorFlow.js wasm backend (see kernels.ts).
//
// Every kernel works in place on the wasm backend's heap: argument 0 is the heap's ArrayBuffer and
// tensors are byte offsets into it, so nothing is copied between JavaScript and C++. Matrix
// products go through OpenBLAS's cblas_sgemm, loaded with dlopen at run time, so the build needs
// neither BLAS headers nor a link step. Matrices are row-major float32, ids int32.

#include <dlfcn.h>
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

// The elementwise and row-wise loops are compiled for AVX-512, AVX2 and baseline x86-64; the
// loader picks the best the CPU has. `omp simd` (with -fopenmp-simd) lets reductions and loops
// with branches vectorize.
#if defined(__x86_64__) && defined(__GNUC__)
#define VECTORIZED __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTORIZED
#endif

namespace {

// ---------------------------------------------------------------------------------------------
// OpenBLAS

enum { kRowMajor = 101, kNoTrans = 111, kTrans = 112 };
using Sgemm = void (*)(int order, int transA, int transB, int m, int n, int k, float alpha,
                       const float* a, int lda, const float* b, int ldb, float beta, float* c,
                       int ldc);
Sgemm sgemm = nullptr;
std::string blasCoreName;

// c [m, n] = alpha · op(a) · op(b) + beta · c, where op transposes when asked; lda, ldb and ldc
// are the row strides of a, b and c as stored.
void gemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, int lda,
          const float* b, int ldb, float beta, float* c, int ldc) {
  sgemm(kRowMajor, transA ? kTrans : kNoTrans, transB ? kTrans : kNoTrans, m, n, k, alpha, a, lda,
        b, ldb, beta, c, ldc);
}

// The same for matrices stored contiguously.
void gemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a,
          const float* b, float beta, float* c) {
  gemm(transA, transB, m, n, k, alpha, a, transA ? m : k, b, transB ? k : n, beta, c, n);
}

// ---------------------------------------------------------------------------------------------
// Math helpers, written so that loops calling them vectorize.

// e^x for float (Cephes' expf: range reduction by ln 2 and a degree-6 polynomial), relative error
// about 2e-7. Below -87, where e^x is no longer a normal float, it returns 0 (so -∞ gives 0); above
// 88 it returns e^88.
inline float expf32(float x) {
  const float underflow = x < -87.0f ? 0.0f : 1.0f;
  x = std::min(std::max(x, -87.0f), 88.0f);
  // x / ln 2 to the nearest integer: one vector rounding instruction (measured a quarter faster
  // than converting with ±0.5, and than rounding by adding and subtracting 1.5·2²³).
  const float n = std::nearbyint(x * 1.44269504088896341f);
  const float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale * underflow;
}

inline float sigmoid(float z) { return 1.0f / (1.0f + expf32(-z)); }

// ---------------------------------------------------------------------------------------------
// Kernels on plain pointers

// out [rows, width] = bias repeated on every row.
void repeatRow(const float* bias, int rows, int width, float* out) {
  for (int r = 0; r < rows; r++) std::memcpy(out + size_t(r) * width, bias, width * sizeof(float));
}

// sums [width] = the sum of m's rows.
VECTORIZED void columnSums(const float* m, int rows, int width, float* sums) {
  std::memset(sums, 0, width * sizeof(float));
  for (int r = 0; r < rows; r++) {
    const float* row = m + size_t(r) * width;
    for (int i = 0; i < width; i++) sums[i] += row[i];
  }
}

// out = (x - mean) / std · gain + bias, row by row; with b, x + b is normalized instead, and
// written to sum (the residual stream's add, fused).
VECTORIZED void layerNormForward(const float* x, const float* b, const float* gain,
                                 const float* bias, int rows, int width, float epsilon, float* sum,
                                 float* out, float* mean, float* inverseStd) {
  for (int r = 0; r < rows; r++) {
    const float* xr = x + size_t(r) * width;
    float* yr = out + size_t(r) * width;
    float total = 0.0f;
    if (b != nullptr) {
      const float* br = b + size_t(r) * width;
      float* sr = sum + size_t(r) * width;
#pragma omp simd reduction(+ : total)
      for (int i = 0; i < width; i++) {
        sr[i] = xr[i] + br[i];
        total += sr[i];
      }
      xr = sr;
    } else {
#pragma omp simd reduction(+ : total)
      for (int i = 0; i < width; i++) total += xr[i];
    }
    const float mu = total / width;
    float squares = 0.0f;
#pragma omp simd reduction(+ : squares)
    for (int i = 0; i < width; i++) squares += (xr[i] - mu) * (xr[i] - mu);
    const float rstd = 1.0f / std::sqrt(squares / width + epsilon);
    for (int i = 0; i < width; i++) yr[i] = (xr[i] - mu) * rstd * gain[i] + bias[i];
    mean[r] = mu;
    inverseStd[r] = rstd;
  }
}

// dx = rstd · (g - mean(g) - x̂ · mean(g · x̂)) with g = dy · gain, plus dsum when given (the
// gradient that reaches x directly: an addLayerNorm's sum); dgain = Σ dy · x̂, dbias = Σ dy.
VECTORIZED void layerNormBackward(const float* dy, const float* x, const float* gain,
                                  const float* mean, const float* inverseStd, const float* dsum,
                                  int rows, int width, float* dx, float* dgain, float* dbias) {
  std::memset(dgain, 0, width * sizeof(float));
  std::memset(dbias, 0, width * sizeof(float));
  for (int r = 0; r < rows; r++) {
    const float* dyr = dy + size_t(r) * width;
    const float* xr = x + size_t(r) * width;
    float* dxr = dx + size_t(r) * width;
    const float mu = mean[r];
    const float rstd = inverseStd[r];
    float sumG = 0.0f;
    float sumGX = 0.0f;
#pragma omp simd reduction(+ : sumG, sumGX)
    for (int i = 0; i < width; i++) {
      const float g = dyr[i] * gain[i];
      sumG += g;
      sumGX += g * (xr[i] - mu) * rstd;
    }
    const float meanG = sumG / width;
    const float meanGX = sumGX / width;
#pragma omp simd
    for (int i = 0; i < width; i++) {
      const float normalized = (xr[i] - mu) * rstd;
      dxr[i] = rstd * (dyr[i] * gain[i] - meanG - normalized * meanGX);
      dgain[i] += dyr[i] * normalized;
      dbias[i] += dyr[i];
    }
    if (dsum != nullptr) {
      const float* dsr = dsum + size_t(r) * width;
#pragma omp simd
      for (int i = 0; i < width; i++) dxr[i] += dsr[i];
    }
  }
}

// GELU, tanh approximation, as x · σ(a·x + b·x³) (0.5·(1 + tanh(u)) = σ(2u)).
constexpr float kGeluA = 1.5957691216057308f;  // 2·√(2/π)
constexpr float kGeluB = kGeluA * 0.044715f;

VECTORIZED void geluForward(const float* x, size_t size, float* out) {
#pragma omp simd
  for (size_t i = 0; i < size; i++) {
    out[i] = x[i] * sigmoid(x[i] * (kGeluA + kGeluB * x[i] * x[i]));
  }
}

// d/dx x·σ(z) = σ(z) + x·σ(z)·(1 - σ(z))·(a + 3b·x²).
VECTORIZED void geluBackward(const float* dy, const float* x, size_t size, float* dx) {
#pragma omp simd
  for (size_t i = 0; i < size; i++) {
    const float xi = x[i];
    const float gate = sigmoid(xi * (kGeluA + kGeluB * xi * xi));
    dx[i] = dy[i] * (gate + xi * gate * (1.0f - gate) * (kGeluA + 3.0f * kGeluB * xi * xi));
  }
}

// Attention reads and writes the projections' own layout, [batch·length, heads·headDim], a head's
// features being columns h·headDim.. of its rows: each head's matrices are strided views, so no
// transposes split or merge the heads.
struct AttentionShape {
  int batch;
  int heads;    // query heads; query head h uses key/value head h / (heads / kvHeads)
  int kvHeads;  // key/value heads
  int length;   // positions
  int headDim;  // features per head
};

// Causal attention skips the products with keys that no query of a block of positions sees: the
// queries of positions [first, first + kBlock) see keys [0, first + kBlock) only. With 32, a
// 64-position head does 3/4 of the full products, a 128-position one 5/8; smaller blocks save
// little more and run BLAS at a lower rate.
constexpr int kBlock = 32;

// Scores and probabilities are kept transposed, [key, query]: the softmax over each query's keys
// then runs down columns, as elementwise loops across a block's queries that vectorize fully,
// where a softmax along short rows spends most of its time reducing vectors to single values.

// Softmax down each column of block [keys, queries] (row stride `stride`), whose column c is the
// query at position first + c and sees keys 0..first + c; the keys after it get probability 0.
VECTORIZED void causalSoftmaxColumns(float* block, int keys, int first, int queries, int stride) {
  float highest[kBlock], sum[kBlock];
  std::fill(highest, highest + queries, -INFINITY);
  std::fill(sum, sum + queries, 0.0f);
  for (int key = first + 1; key < keys; key++) {
    float* row = block + size_t(key) * stride;
    std::fill(row, row + std::min(key - first, queries), -INFINITY);  // e^-∞ = 0
  }
  for (int key = 0; key < keys; key++) {
    const float* row = block + size_t(key) * stride;
#pragma omp simd
    for (int c = 0; c < queries; c++) highest[c] = row[c] > highest[c] ? row[c] : highest[c];
  }
  for (int key = 0; key < keys; key++) {
    float* row = block + size_t(key) * stride;
#pragma omp simd
    for (int c = 0; c < queries; c++) {
      row[c] = expf32(row[c] - highest[c]);
      sum[c] += row[c];
    }
  }
  for (int c = 0; c < queries; c++) sum[c] = 1.0f / sum[c];
  for (int key = 0; key < keys; key++) {
    float* row = block + size_t(key) * stride;
#pragma omp simd
    for (int c = 0; c < queries; c++) row[c] *= sum[c];
  }
}

// ds = p ⊙ (dp - Σ_keys dp ⊙ p) down each column of [keys, queries] blocks, in place of dp.
VECTORIZED void softmaxBackwardColumns(const float* p, int keys, int queries, int stride,
                                       float* dp) {
  float dot[kBlock];
  std::fill(dot, dot + queries, 0.0f);
  for (int key = 0; key < keys; key++) {
    const float* pRow = p + size_t(key) * stride;
    const float* dpRow = dp + size_t(key) * stride;
#pragma omp simd
    for (int c = 0; c < queries; c++) dot[c] += dpRow[c] * pRow[c];
  }
  for (int key = 0; key < keys; key++) {
    const float* pRow = p + size_t(key) * stride;
    float* dpRow = dp + size_t(key) * stride;
#pragma omp simd
    for (int c = 0; c < queries; c++) dpRow[c] = pRow[c] * (dpRow[c] - dot[c]);
  }
}

// One head's matrices within the projections: q, k and v point at the head's first feature in its
// sequence's first row; rows are the strides below apart.
struct Head {
  const float* q;
  const float* k;
  const float* v;
  int queryStride;  // heads · headDim
  int kvStride;     // kvHeads · headDim
};

// pT [length keys, length queries] = causal softmax of scale · k · qᵀ, out = p · v, by blocks of
// query positions.
void headForward(Head h, int length, int headDim, float scale, float* out, float* pT) {
  for (int first = 0; first < length; first += kBlock) {
    const int end = std::min(first + kBlock, length);  // keys 0..end-1 are visible to the block
    const int queries = end - first;
    float* block = pT + first;
    gemm(false, true, end, queries, headDim, scale, h.k, h.kvStride,
         h.q + size_t(first) * h.queryStride, h.queryStride, 0.0f, block, length);
    causalSoftmaxColumns(block, end, first, queries, length);
    for (int key = end; key < length; key++) {
      std::fill(block + size_t(key) * length, block + size_t(key) * length + queries, 0.0f);
    }
    gemm(true, false, queries, headDim, end, 1.0f, block, length, h.v, h.kvStride, 0.0f,
         out + size_t(first) * h.queryStride, h.queryStride);
  }
}

// dv = pᵀ·dout, dp = dout·vᵀ, ds = softmax backward, dq = scale·ds·k, dk = scale·dsᵀ·q, skipping
// the blocks where p is 0; scores and probabilities transposed. dk and dv are added to when kvBeta
// is 1 (query heads sharing a key/value head). scoresT is [length, length] scratch.
void headBackward(Head h, const float* dout, const float* pT, int length, int headDim, float scale,
                  float kvBeta, float* dq, float* dk, float* dv, float* scoresT) {
  for (int first = 0; first < length; first += kBlock) {
    const int end = std::min(first + kBlock, length);
    const int queries = end - first;
    gemm(false, true, end, queries, headDim, 1.0f, h.v, h.kvStride,
         dout + size_t(first) * h.queryStride, h.queryStride, 0.0f, scoresT + first, length);
    softmaxBackwardColumns(pT + first, end, queries, length, scoresT + first);
    gemm(true, false, queries, headDim, end, scale, scoresT + first, length, h.k, h.kvStride, 0.0f,
         dq + size_t(first) * h.queryStride, h.queryStride);
  }
  // Keys [first, end) are seen by the queries from `first` on.
  for (int first = 0; first < length; first += kBlock) {
    const int end = std::min(first + kBlock, length);
    const int keys = end - first, queries = length - first;
    const size_t corner = size_t(first) * length + first;
    const size_t kvOffset = size_t(first) * h.kvStride;
    gemm(false, false, keys, headDim, queries, 1.0f, pT + corner, length,
         dout + size_t(first) * h.queryStride, h.queryStride, kvBeta, dv + kvOffset, h.kvStride);
    gemm(false, false, keys, headDim, queries, scale, scoresT + corner, length,
         h.q + size_t(first) * h.queryStride, h.queryStride, kvBeta, dk + kvOffset, h.kvStride);
  }
}

// The head of query head h of sequence b.
Head headOf(const float* q, const float* k, const float* v, AttentionShape s, int b, int h) {
  const int queryStride = s.heads * s.headDim, kvStride = s.kvHeads * s.headDim;
  const size_t firstRow = size_t(b) * s.length;
  const int kvHead = h / (s.heads / s.kvHeads);
  return {q + firstRow * queryStride + size_t(h) * s.headDim,
          k + firstRow * kvStride + size_t(kvHead) * s.headDim,
          v + firstRow * kvStride + size_t(kvHead) * s.headDim, queryStride, kvStride};
}

// q and out are [batch·length, heads·headDim], k and v [batch·length, kvHeads·headDim],
// probabilities [batch, heads, length keys, length queries] (transposed, as headForward keeps them).
void attentionForward(const float* q, const float* k, const float* v, AttentionShape s,
                      float scale, float* out, float* probabilities) {
  for (int b = 0; b < s.batch; b++) {
    for (int h = 0; h < s.heads; h++) {
      const Head head = headOf(q, k, v, s, b, h);
      headForward(head, s.length, s.headDim, scale, out + (head.q - q),
                  probabilities + (size_t(b) * s.heads + h) * s.length * s.length);
    }
  }
}

void attentionBackward(const float* dout, const float* q, const float* k, const float* v,
                       const float* probabilities, AttentionShape s, float scale, float* dq,
                       float* dk, float* dv) {
  // Scratch for one head's score gradients, per thread: trials may train in worker threads.
  thread_local std::vector<float> scores;
  scores.resize(size_t(s.length) * s.length);
  const int group = s.heads / s.kvHeads;
  for (int b = 0; b < s.batch; b++) {
    for (int h = 0; h < s.heads; h++) {
      const Head head = headOf(q, k, v, s, b, h);
      const ptrdiff_t queryOffset = head.q - q, kvOffset = head.k - k;
      // The first query head of a group writes dk and dv, the others add to them.
      const float kvBeta = h % group == 0 ? 0.0f : 1.0f;
      headBackward(head, dout + queryOffset,
                   probabilities + (size_t(b) * s.heads + h) * s.length * s.length, s.length,
                   s.headDim, scale, kvBeta, dq + queryOffset, dk + kvOffset, dv + kvOffset,
                   scores.data());
    }
  }
}

// Mean cross-entropy of logits [rows, classes] against valid targets, and its gradient
// (softmax - one-hot) / rows.
VECTORIZED void softmaxCrossEntropy(const float* logits, const int32_t* targets, int rows,
                                    int classes, float* loss, float* dlogits) {
  double total = 0.0;
  const float perRow = 1.0f / rows;
  for (int r = 0; r < rows; r++) {
    const float* row = logits + size_t(r) * classes;
    float* grad = dlogits + size_t(r) * classes;
    float highest = row[0];
#pragma omp simd reduction(max : highest)
    for (int i = 0; i < classes; i++) highest = row[i] > highest ? row[i] : highest;
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int i = 0; i < classes; i++) {
      grad[i] = expf32(row[i] - highest);
      sum += grad[i];
    }
    const float scale = perRow / sum;
    for (int i = 0; i < classes; i++) grad[i] *= scale;
    grad[targets[r]] -= perRow;
    total += std::log(sum) + highest - row[targets[r]];
  }
  *loss = static_cast<float>(total / rows);
}

struct AdamStep {
  float beta1, beta2;
  float oneMinusBeta1, oneMinusBeta2;  // computed in double, as tf does for scalar factors
  float epsilon;
  float stepSize;            // learningRate / (1 - β1^t)
  float biasCorrection2Root; // √(1 - β2^t)
  float decay;               // 1 - learningRate · weightDecay for AdamW's matrices, else 1
};

// torch.optim.Adam(W): m, v moving averages; p ← p·decay - stepSize · m / (√v / √(1-β2^t) + ε).
VECTORIZED void adamUpdate(const float* p, const float* g, const float* m, const float* v,
                           size_t size, AdamStep s, float* pOut, float* mOut, float* vOut) {
#pragma omp simd
  for (size_t i = 0; i < size; i++) {
    const float mi = m[i] * s.beta1 + g[i] * s.oneMinusBeta1;
    const float vi = v[i] * s.beta2 + g[i] * g[i] * s.oneMinusBeta2;
    const float denominator = std::sqrt(vi) / s.biasCorrection2Root + s.epsilon;
    pOut[i] = p[i] * s.decay - mi / denominator * s.stepSize;
    mOut[i] = mi;
    vOut[i] = vi;
  }
}

// out = x [d0, d1, d2, d3] with its dimensions permuted: out's dimension i is x's perm[i]. Elements
// are 4-byte values (float32 or int32), copied as bits; rows that stay contiguous are memcpy'd.
void transpose(const uint32_t* x, const int dims[4], const int perm[4], uint32_t* out) {
  const size_t strides[4] = {size_t(dims[1]) * dims[2] * dims[3], size_t(dims[2]) * dims[3],
                             size_t(dims[3]), 1};
  const int o0 = dims[perm[0]], o1 = dims[perm[1]], o2 = dims[perm[2]], o3 = dims[perm[3]];
  const size_t s0 = strides[perm[0]], s1 = strides[perm[1]], s2 = strides[perm[2]],
               s3 = strides[perm[3]];
  for (int i0 = 0; i0 < o0; i0++) {
    for (int i1 = 0; i1 < o1; i1++) {
      for (int i2 = 0; i2 < o2; i2++) {
        const uint32_t* source = x + i0 * s0 + i1 * s1 + i2 * s2;
        if (s3 == 1) {
          std::memcpy(out, source, o3 * sizeof(uint32_t));
        } else {
          for (int i3 = 0; i3 < o3; i3++) out[i3] = source[i3 * s3];
        }
        out += o3;
      }
    }
  }
}

VECTORIZED void add(const float* a, const float* b, size_t size, float* out) {
  for (size_t i = 0; i < size; i++) out[i] = a[i] + b[i];
}

VECTORIZED float sumOfSquares(const float* x, size_t size) {
  float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
  for (size_t i = 0; i < size; i++) sum += x[i] * x[i];
  return sum;
}

// ---------------------------------------------------------------------------------------------
// N-API plumbing

// The arguments of one kernel call. Argument 0 is the wasm heap; a tensor argument is a byte
// offset into it, checked against the heap's bounds. The first problem found is thrown as a
// JavaScript error once; after it every accessor returns a harmless value and ok() is false.
class Args {
 public:
  Args(napi_env env, napi_callback_info info, const char* kernel, size_t expected)
      : env_(env), kernel_(kernel) {
    size_t count = kMaxArgs;
    if (napi_get_cb_info(env, info, &count, values_, nullptr, nullptr) != napi_ok) {
      fail("could not read the arguments");
    } else if (count != expected) {
      fail("expected " + std::to_string(expected) + " arguments, got " + std::to_string(count));
    } else if (napi_get_arraybuffer_info(env, values_[0], &heap_, &heapBytes_) != napi_ok) {
      fail("argument 0 must be the wasm heap's ArrayBuffer");
    }
  }

  bool ok() const { return ok_; }

  double number(size_t index) {
    double value = 0;
    if (ok_ && napi_get_value_double(env_, values_[index], &value) != napi_ok) {
      fail("argument " + std::to_string(index) + " must be a number");
    }
    return value;
  }

  // A dimension: a whole number of at least 1.
  int dimension(size_t index) {
    const double value = number(index);
    if (ok_ && !(value >= 1 && value <= INT32_MAX && value == std::floor(value))) {
      fail("argument " + std::to_string(index) + " must be a positive whole number, got " +
           std::to_string(value));
    }
    return ok_ ? static_cast<int>(value) : 1;
  }

  bool flag(size_t index) {
    bool value = false;
    if (ok_ && napi_get_value_bool(env_, values_[index], &value) != napi_ok) {
      fail("argument " + std::to_string(index) + " must be a boolean");
    }
    return value;
  }

  float* floats(size_t index, size_t count) { return static_cast<float*>(tensor(index, count)); }

  // A tensor argument that may be null (then nullptr).
  const float* optionalFloats(size_t index, size_t count) {
    napi_valuetype type = napi_undefined;
    if (ok_ && napi_typeof(env_, values_[index], &type) != napi_ok) fail("unreadable argument");
    return type == napi_null ? nullptr : floats(index, count);
  }
  int32_t* ints(size_t index, size_t count) { return static_cast<int32_t*>(tensor(index, count)); }

  void fail(const std::string& message) {
    if (!ok_) return;
    ok_ = false;
    napi_throw_error(env_, nullptr, (std::string("attune native ") + kernel_ + ": " + message).c_str());
  }

 private:
  static constexpr size_t kMaxArgs = 16;

  // `count` 4-byte elements at the byte offset in argument `index`.
  void* tensor(size_t index, size_t count) {
    const double offset = number(index);
    if (ok_ && !(offset >= 0 && offset == std::floor(offset) && std::fmod(offset, 4) == 0 &&
                 offset + 4.0 * count <= heapBytes_)) {
      fail("argument " + std::to_string(index) + ": " + std::to_string(count) +
           " elements at byte " + std::to_string(offset) + " are outside the " +
           std::to_string(heapBytes_) + "-byte heap");
    }
    return ok_ ? static_cast<char*>(heap_) + static_cast<size_t>(offset) : nullptr;
  }

  napi_env env_;
  const char* kernel_;
  napi_value values_[kMaxArgs] = {};
  void* heap_ = nullptr;
  size_t heapBytes_ = 0;
  bool ok_ = true;
};

napi_value makeString(napi_env env, const std::string& text) {
  napi_value value;
  napi_create_string_utf8(env, text.c_str(), text.size(), &value);
  return value;
}

// loadBlas(path): opens OpenBLAS, uses one thread, returns its core name. Loading twice returns
// the first load's core name (the library reads OPENBLAS_CORETYPE once, when first opened).
napi_value LoadBlas(napi_env env, napi_callback_info info) {
  size_t count = 1;
  napi_value argument;
  char path[4096];
  size_t length = 0;
  napi_get_cb_info(env, info, &count, &argument, nullptr, nullptr);
  if (count != 1 ||
      napi_get_value_string_utf8(env, argument, path, sizeof path, &length) != napi_ok) {
    napi_throw_error(env, nullptr, "attune native loadBlas: expected the library's path");
    return nullptr;
  }
  if (sgemm != nullptr) return makeString(env, blasCoreName);
  void* library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    napi_throw_error(env, nullptr, dlerror());
    return nullptr;
  }
  auto gemmFunction = reinterpret_cast<Sgemm>(dlsym(library, "cblas_sgemm"));
  auto setThreads = reinterpret_cast<void (*)(int)>(dlsym(library, "openblas_set_num_threads"));
  auto coreName = reinterpret_cast<const char* (*)()>(dlsym(library, "openblas_get_corename"));
  if (gemmFunction == nullptr || setThreads == nullptr) {
    dlclose(library);
    napi_throw_error(env, nullptr,
                     (std::string(path) + " lacks cblas_sgemm or openblas_set_num_threads").c_str());
    return nullptr;
  }
  // One BLAS thread per process: trials run side by side on the machine's cores.
  setThreads(1);
  sgemm = gemmFunction;
  blasCoreName = coreName != nullptr ? coreName() : "unknown";
  return makeString(env, blasCoreName);
}

// Checks that each of `count` indices is in 0..limit-1 (ids of a table's rows, target classes).
bool checkIndices(Args& args, const char* what, const int32_t* indices, int count, int limit) {
  for (int i = 0; args.ok() && i < count; i++) {
    if (indices[i] < 0 || indices[i] >= limit) {
      args.fail(std::string(what) + " " + std::to_string(indices[i]) + " at position " +
                std::to_string(i) + " is outside 0.." + std::to_string(limit - 1));
    }
  }
  return args.ok();
}

// Kernels that multiply need loadBlas first.
bool requireBlas(Args& args) {
  if (sgemm == nullptr) args.fail("OpenBLAS is not loaded (call loadBlas first)");
  return args.ok();
}

// gemm(heap, batch, transA, transB, m, n, k, a, b, c): c[i] = op(a[i]) · op(b[i]) for each of
// `batch` matrices stored one after another.
napi_value Gemm(napi_env env, napi_callback_info info) {
  Args args(env, info, "gemm", 10);
  const int batch = args.dimension(1);
  const bool transA = args.flag(2), transB = args.flag(3);
  const int m = args.dimension(4), n = args.dimension(5), k = args.dimension(6);
  const size_t sizeA = size_t(m) * k, sizeB = size_t(k) * n, sizeC = size_t(m) * n;
  const float* a = args.floats(7, batch * sizeA);
  const float* b = args.floats(8, batch * sizeB);
  float* c = args.floats(9, batch * sizeC);
  if (!requireBlas(args)) return nullptr;
  for (int i = 0; i < batch; i++) {
    gemm(transA, transB, m, n, k, 1.0f, a + i * sizeA, b + i * sizeB, 0.0f, c + i * sizeC);
  }
  return nullptr;
}

// linear(heap, x, weight, bias, out, rows, inputs, outputs): out = x · weight + bias.
napi_value Linear(napi_env env, napi_callback_info info) {
  Args args(env, info, "linear", 8);
  const int rows = args.dimension(5), inputs = args.dimension(6), outputs = args.dimension(7);
  const float* x = args.floats(1, size_t(rows) * inputs);
  const float* weight = args.floats(2, size_t(inputs) * outputs);
  const float* bias = args.floats(3, outputs);
  float* out = args.floats(4, size_t(rows) * outputs);
  if (!requireBlas(args)) return nullptr;
  repeatRow(bias, rows, outputs, out);
  gemm(false, false, rows, outputs, inputs, 1.0f, x, weight, 1.0f, out);
  return nullptr;
}

// linearBackward(heap, dy, x, weight, dx, dweight, dbias, rows, inputs, outputs, addToDx):
// dx = dy · weightᵀ (added to dx when addToDx: linears that share x), dweight = xᵀ · dy,
// dbias = Σ rows of dy.
napi_value LinearBackward(napi_env env, napi_callback_info info) {
  Args args(env, info, "linearBackward", 11);
  const int rows = args.dimension(7), inputs = args.dimension(8), outputs = args.dimension(9);
  const float* dy = args.floats(1, size_t(rows) * outputs);
  const float* x = args.floats(2, size_t(rows) * inputs);
  const float* weight = args.floats(3, size_t(inputs) * outputs);
  float* dx = args.floats(4, size_t(rows) * inputs);
  float* dweight = args.floats(5, size_t(inputs) * outputs);
  float* dbias = args.floats(6, outputs);
  const bool addToDx = args.flag(10);
  if (!requireBlas(args)) return nullptr;
  gemm(false, true, rows, inputs, outputs, 1.0f, dy, weight, addToDx ? 1.0f : 0.0f, dx);
  gemm(true, false, inputs, outputs, rows, 1.0f, x, dy, 0.0f, dweight);
  columnSums(dy, rows, outputs, dbias);
  return nullptr;
}

// layerNorm(heap, x, gain, bias, out, mean, inverseStd, rows, width, epsilon)
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  Args args(env, info, "layerNorm", 10);
  const int rows = args.dimension(7), width = args.dimension(8);
  const float epsilon = static_cast<float>(args.number(9));
  const size_t size = size_t(rows) * width;
  const float* x = args.floats(1, size);
  const float* gain = args.floats(2, width);
  const float* bias = args.floats(3, width);
  float* out = args.floats(4, size);
  float* mean = args.floats(5, rows);
  float* inverseStd = args.floats(6, rows);
  if (!args.ok()) return nullptr;
  layerNormForward(x, nullptr, gain, bias, rows, width, epsilon, nullptr, out, mean, inverseStd);
  return nullptr;
}

// addLayerNorm(heap, a, b, sum, gain, bias, out, mean, inverseStd, rows, width, epsilon):
// sum = a + b, and layerNorm of it.
napi_value AddLayerNorm(napi_env env, napi_callback_info info) {
  Args args(env, info, "addLayerNorm", 12);
  const int rows = args.dimension(9), width = args.dimension(10);
  const float epsilon = static_cast<float>(args.number(11));
  const size_t size = size_t(rows) * width;
  const float* a = args.floats(1, size);
  const float* b = args.floats(2, size);
  float* sum = args.floats(3, size);
  const float* gain = args.floats(4, width);
  const float* bias = args.floats(5, width);
  float* out = args.floats(6, size);
  float* mean = args.floats(7, rows);
  float* inverseStd = args.floats(8, rows);
  if (!args.ok()) return nullptr;
  layerNormForward(a, b, gain, bias, rows, width, epsilon, sum, out, mean, inverseStd);
  return nullptr;
}

// layerNormBackward(heap, dy, x, gain, mean, inverseStd, dsum, dx, dgain, dbias, rows, width);
// dsum may be null.
napi_value LayerNormBackward(napi_env env, napi_callback_info info) {
  Args args(env, info, "layerNormBackward", 12);
  const int rows = args.dimension(10), width = args.dimension(11);
  const size_t size = size_t(rows) * width;
  const float* dy = args.floats(1, size);
  const float* x = args.floats(2, size);
  const float* gain = args.floats(3, width);
  const float* mean = args.floats(4, rows);
  const float* inverseStd = args.floats(5, rows);
  const float* dsum = args.optionalFloats(6, size);
  float* dx = args.floats(7, size);
  float* dgain = args.floats(8, width);
  float* dbias = args.floats(9, width);
  if (!args.ok()) return nullptr;
  layerNormBackward(dy, x, gain, mean, inverseStd, dsum, rows, width, dx, dgain, dbias);
  return nullptr;
}

// gelu(heap, x, out, size)
napi_value Gelu(napi_env env, napi_callback_info info) {
  Args args(env, info, "gelu", 4);
  const size_t size = args.dimension(3);
  const float* x = args.floats(1, size);
  float* out = args.floats(2, size);
  if (!args.ok()) return nullptr;
  geluForward(x, size, out);
  return nullptr;
}

// geluBackward(heap, dy, x, dx, size)
napi_value GeluBackward(napi_env env, napi_callback_info info) {
  Args args(env, info, "geluBackward", 5);
  const size_t size = args.dimension(4);
  const float* dy = args.floats(1, size);
  const float* x = args.floats(2, size);
  float* dx = args.floats(3, size);
  if (!args.ok()) return nullptr;
  geluBackward(dy, x, size, dx);
  return nullptr;
}

// The shape in arguments first.. (batch, heads, kvHeads, length, headDim); heads must be a
// multiple of kvHeads.
AttentionShape attentionShape(Args& args, size_t first) {
  const AttentionShape s = {args.dimension(first), args.dimension(first + 1),
                            args.dimension(first + 2), args.dimension(first + 3),
                            args.dimension(first + 4)};
  if (args.ok() && s.heads % s.kvHeads != 0) args.fail("heads must be a multiple of kvHeads");
  return s;
}

// attention(heap, q, k, v, out, probabilities, batch, heads, kvHeads, length, headDim, scale)
napi_value Attention(napi_env env, napi_callback_info info) {
  Args args(env, info, "attention", 12);
  const AttentionShape s = attentionShape(args, 6);
  const float scale = static_cast<float>(args.number(11));
  const size_t rows = size_t(s.batch) * s.length;
  const size_t querySize = rows * s.heads * s.headDim, kvSize = rows * s.kvHeads * s.headDim;
  const size_t probabilitiesSize = size_t(s.batch) * s.heads * s.length * s.length;
  const float* q = args.floats(1, querySize);
  const float* k = args.floats(2, kvSize);
  const float* v = args.floats(3, kvSize);
  float* out = args.floats(4, querySize);
  float* probabilities = args.floats(5, probabilitiesSize);
  if (!requireBlas(args)) return nullptr;
  attentionForward(q, k, v, s, scale, out, probabilities);
  return nullptr;
}

// attentionBackward(heap, dout, q, k, v, probabilities, dq, dk, dv, batch, heads, kvHeads,
// length, headDim, scale)
napi_value AttentionBackward(napi_env env, napi_callback_info info) {
  Args args(env, info, "attentionBackward", 15);
  const AttentionShape s = attentionShape(args, 9);
  const float scale = static_cast<float>(args.number(14));
  const size_t rows = size_t(s.batch) * s.length;
  const size_t querySize = rows * s.heads * s.headDim, kvSize = rows * s.kvHeads * s.headDim;
  const size_t probabilitiesSize = size_t(s.batch) * s.heads * s.length * s.length;
  const float* dout = args.floats(1, querySize);
  const float* q = args.floats(2, querySize);
  const float* k = args.floats(3, kvSize);
  const float* v = args.floats(4, kvSize);
  const float* probabilities = args.floats(5, probabilitiesSize);
  float* dq = args.floats(6, querySize);
  float* dk = args.floats(7, kvSize);
  float* dv = args.floats(8, kvSize);
  if (!requireBlas(args)) return nullptr;
  attentionBackward(dout, q, k, v, probabilities, s, scale, dq, dk, dv);
  return nullptr;
}

// softmaxCrossEntropy(heap, logits, targets, loss, dlogits, rows, classes)
napi_value SoftmaxCrossEntropy(napi_env env, napi_callback_info info) {
  Args args(env, info, "softmaxCrossEntropy", 7);
  const int rows = args.dimension(5), classes = args.dimension(6);
  const float* logits = args.floats(1, size_t(rows) * classes);
  const int32_t* targets = args.ints(2, rows);
  float* loss = args.floats(3, 1);
  float* dlogits = args.floats(4, size_t(rows) * classes);
  if (!checkIndices(args, "target", targets, rows, classes)) return nullptr;
  softmaxCrossEntropy(logits, targets, rows, classes, loss, dlogits);
  return nullptr;
}

// adam(heap, p, g, m, v, pOut, mOut, vOut, size, beta1, beta2, epsilon, stepSize,
// biasCorrection2Root, decay)
napi_value Adam(napi_env env, napi_callback_info info) {
  Args args(env, info, "adam", 15);
  const size_t size = args.dimension(8);
  const float* p = args.floats(1, size);
  const float* g = args.floats(2, size);
  const float* m = args.floats(3, size);
  const float* v = args.floats(4, size);
  float* pOut = args.floats(5, size);
  float* mOut = args.floats(6, size);
  float* vOut = args.floats(7, size);
  const double beta1 = args.number(9), beta2 = args.number(10);
  const AdamStep step = {static_cast<float>(beta1),
                         static_cast<float>(beta2),
                         static_cast<float>(1 - beta1),
                         static_cast<float>(1 - beta2),
                         static_cast<float>(args.number(11)),
                         static_cast<float>(args.number(12)),
                         static_cast<float>(args.number(13)),
                         static_cast<float>(args.number(14))};
  if (!args.ok()) return nullptr;
  adamUpdate(p, g, m, v, size, step, pOut, mOut, vOut);
  return nullptr;
}

// gather(heap, table, ids, out, count, width, vocab): out[i] = table[ids[i]].
napi_value Gather(napi_env env, napi_callback_info info) {
  Args args(env, info, "gather", 7);
  const int count = args.dimension(4), width = args.dimension(5), vocab = args.dimension(6);
  const float* table = args.floats(1, size_t(vocab) * width);
  const int32_t* ids = args.ints(2, count);
  float* out = args.floats(3, size_t(count) * width);
  if (!checkIndices(args, "id", ids, count, vocab)) return nullptr;
  for (int i = 0; i < count; i++) {
    std::memcpy(out + size_t(i) * width, table + size_t(ids[i]) * width, width * sizeof(float));
  }
  return nullptr;
}

// scatterAdd(heap, dy, ids, out, count, width, vocab): out [vocab, width] = Σ dy[i] into row
// ids[i] (the gradient of gather).
napi_value ScatterAdd(napi_env env, napi_callback_info info) {
  Args args(env, info, "scatterAdd", 7);
  const int count = args.dimension(4), width = args.dimension(5), vocab = args.dimension(6);
  const float* dy = args.floats(1, size_t(count) * width);
  const int32_t* ids = args.ints(2, count);
  float* out = args.floats(3, size_t(vocab) * width);
  if (!checkIndices(args, "id", ids, count, vocab)) return nullptr;
  std::memset(out, 0, size_t(vocab) * width * sizeof(float));
  for (int i = 0; i < count; i++) {
    float* row = out + size_t(ids[i]) * width;
    const float* source = dy + size_t(i) * width;
    for (int j = 0; j < width; j++) row[j] += source[j];
  }
  return nullptr;
}

// transpose(heap, x, out, d0, d1, d2, d3, p0, p1, p2, p3): see transpose above.
napi_value Transpose(napi_env env, napi_callback_info info) {
  Args args(env, info, "transpose", 11);
  const int dims[4] = {args.dimension(3), args.dimension(4), args.dimension(5), args.dimension(6)};
  // A permutation of 0..3: anything else could write past the output.
  int perm[4] = {0, 1, 2, 3};
  int taken = 0;
  for (int i = 0; i < 4 && args.ok(); i++) {
    const double axis = args.number(7 + i);
    if (!(axis >= 0 && axis <= 3) || (taken & (1 << int(axis)))) {
      args.fail("perm must be a permutation of 0..3");
    } else {
      perm[i] = int(axis);
      taken |= 1 << perm[i];
    }
  }
  const size_t size = size_t(dims[0]) * dims[1] * dims[2] * dims[3];
  const uint32_t* x = reinterpret_cast<const uint32_t*>(args.floats(1, size));
  uint32_t* out = reinterpret_cast<uint32_t*>(args.floats(2, size));
  if (!args.ok()) return nullptr;
  transpose(x, dims, perm, out);
  return nullptr;
}

// add(heap, a, b, out, size): out = a + b, elementwise.
napi_value Add(napi_env env, napi_callback_info info) {
  Args args(env, info, "add", 5);
  const size_t size = args.dimension(4);
  const float* a = args.floats(1, size);
  const float* b = args.floats(2, size);
  float* out = args.floats(3, size);
  if (!args.ok()) return nullptr;
  add(a, b, size, out);
  return nullptr;
}

// sumOfSquares(heap, x, size): Σ x², returned as a number.
napi_value SumOfSquares(napi_env env, napi_callback_info info) {
  Args args(env, info, "sumOfSquares", 3);
  const size_t size = args.dimension(2);
  const float* x = args.floats(1, size);
  if (!args.ok()) return nullptr;
  napi_value result;
  napi_create_double(env, sumOfSquares(x, size), &result);
  return result;
}

// A writable, configurable function property of the exports.
napi_property_descriptor method(const char* name, napi_callback function) {
  return {name, nullptr, function, nullptr, nullptr, nullptr, napi_default_method, nullptr};
}

}  // namespace

NAPI_MODULE_INIT() {
  const napi_property_descriptor functions[] = {
      method("loadBlas", LoadBlas),
      method("gemm", Gemm),
      method("linear", Linear),
      method("linearBackward", LinearBackward),
      method("layerNorm", LayerNorm),
      method("addLayerNorm", AddLayerNorm),
      method("layerNormBackward", LayerNormBackward),
      method("gelu", Gelu),
      method("geluBackward", GeluBackward),
      method("attention", Attention),
      method("attentionBackward", AttentionBackward),
      method("softmaxCrossEntropy", SoftmaxCrossEntropy),
      method("adam", Adam),
      method("gather", Gather),
      method("scatterAdd", ScatterAdd),
      method("sumOfSquares", SumOfSquares),
      method("transpose", Transpose),
      method("add", Add),
  };
  napi_define_properties(env, exports, sizeof functions / sizeof functions[0], functions);
  return exports;
}
