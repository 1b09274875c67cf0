// The WGSL compute kernels of epibook's WebGPU backend, one per backend op (the C++
// side, webgpu_backend.cpp, names them). Each reads 16 parameter words at binding 0 and
// its buffers at bindings 1..; each thread walks the elements in a grid-stride loop, so
// any size (odd ones included) is covered by any number of 256-thread workgroups.
// Sums run in a fixed order, so a kernel gives the same bits every run.
(function () {
  const prelude = `
struct Params { w: array<vec4<u32>, 4> }
@group(0) @binding(0) var<uniform> P: Params;
fn pu(i: u32) -> u32 { return P.w[i / 4u][i % 4u]; }
fn pf(i: u32) -> f32 { return bitcast<f32>(pu(i)); }
`;
  // A kernel: bindings (name: type), then the body run for element i < count.
  function kernel(bindings, count, body, extra = '') {
    const declared = bindings.map(([name, access, type], index) =>
      `@group(0) @binding(${index + 1}) var<storage, ${access}> ${name}: array<${type || 'f32'}>;`).join('\n');
    return `${prelude}\n${declared}\n${extra}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let total = groups.x * 256u;
  let count = ${count};
  for (var i = gid.x; i < count; i = i + total) {
${body}
  }
}`;
  }
  const R = 'read';
  const W = 'read_write';

  // erf to float precision (Abramowitz and Stegun 7.1.26 is too coarse): the series
  // for |x| < 2, else the continued-fraction tail through erfc's asymptotic form.
  const activation = `
fn erf_f(x: f32) -> f32 {
  let a = abs(x);
  var r: f32;
  if (a < 1.5) {
    // Maclaurin series x * sum (-1)^n x^2n / (n! (2n + 1)) * 2 / sqrt(pi).
    let x2 = a * a;
    var term = a;
    var sum = a;
    for (var n = 1; n < 40; n = n + 1) {
      term = -term * x2 / f32(n);
      sum = sum + term / f32(2 * n + 1);
    }
    r = sum * 1.1283791670955126;
  } else if (a < 9.0) {
    // erfc's continued fraction exp(-a^2) / sqrt(pi) / (a + (1/2) / (a + 1 / (a + (3/2) / ...))).
    var k = a;
    for (var n = 80; n >= 1; n = n - 1) { k = a + (f32(n) * 0.5) / k; }
    r = 1.0 - exp(-a * a) / (1.7724538509055159 * k);
  } else {
    r = 1.0;
  }
  return select(r, -r, x < 0.0);
}
fn sigmoid_f(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
// GELU-tanh through a = e^(-2|u|) in (0, 1], never through tanh: 1 - tanh(u)^2 and
// 1 + tanh(u) cancel catastrophically as |tanh(u)| nears 1, and WGSL bounds tanh's error
// only as sinh / cosh's; here (1 + tanh u) / 2 = 1 / (1 + a) or a / (1 + a), and
// 1 - tanh(u)^2 = 4a / (1 + a)^2, each a few ULP of exp's error (3 + 2|2u| ULP).
fn gelu_tanh_inner(x: f32) -> f32 { return 0.79788456080286536 * (x + 0.044715 * x * x * x); }
fn half_one_plus_tanh(u: f32) -> f32 {
  let a = exp(-2.0 * abs(u));
  return select(a, 1.0, u >= 0.0) / (1.0 + a);
}
fn activate(kind: u32, x: f32) -> f32 {
  switch kind {
    case 0u: { return select(0.0, x, x > 0.0); }
    case 1u: { return 0.5 * x * (1.0 + erf_f(x * 0.70710678118654752)); }
    case 2u: { return x * half_one_plus_tanh(gelu_tanh_inner(x)); }
    case 3u: { return sigmoid_f(x); }
    default: { if (x > 20.0) { return x; } return log(1.0 + exp(x)); }
  }
}
fn derivative(kind: u32, x: f32) -> f32 {
  switch kind {
    case 0u: { return select(0.0, 1.0, x > 0.0); }
    case 1u: { return 0.5 * (1.0 + erf_f(x * 0.70710678118654752)) + x * 0.39894228040143268 * exp(-0.5 * x * x); }
    case 2u: {
      // (1 + t) / 2 + x (1 - t^2) d_inner / 2 with t = tanh(inner), both parts from
      // a = e^(-2|inner|) (gpu_checks.cpp bounds the error).
      let inner = gelu_tanh_inner(x);
      let a = exp(-2.0 * abs(inner));
      let sech2 = 4.0 * a / ((1.0 + a) * (1.0 + a));
      let d_inner = 0.79788456080286536 * (1.0 + 3.0 * 0.044715 * x * x);
      return half_one_plus_tanh(inner) + 0.5 * x * sech2 * d_inner;
    }
    case 3u: { let s = sigmoid_f(x); return s * (1.0 - s); }
    default: { if (x > 20.0) { return 1.0; } return sigmoid_f(x); }
  }
}`;

  // A workgroup's 256 partial sums added in a fixed tree; every thread gets the total.
  const channelSum = `
var<workgroup> partial: array<f32, 256>;
fn channel_sum(lane: u32, value: f32) -> f32 {
  workgroupBarrier();
  partial[lane] = value;
  workgroupBarrier();
  for (var width = 128u; width > 0u; width = width / 2u) {
    if (lane < width) { partial[lane] = partial[lane] + partial[lane + width]; }
    workgroupBarrier();
  }
  return partial[0];
}`;

  // SplitMix64's finaliser (random.h's mix64) on (lo, hi) pairs of u32: WGSL has no
  // 64-bit integers. Products keep their low 64 bits, as uint64_t's do.
  const splitmix = `
fn add64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let lo = a.x + b.x;
  return vec2<u32>(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}
fn shr64(a: vec2<u32>, k: u32) -> vec2<u32> { return vec2<u32>((a.x >> k) | (a.y << (32u - k)), a.y >> k); }
fn mul_wide(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu; let a1 = a >> 16u; let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0; let p11 = a1 * b1;
  let middle = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return vec2<u32>((p00 & 0xffffu) | (middle << 16u), p11 + (p01 >> 16u) + (p10 >> 16u) + (middle >> 16u));
}
fn mul64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let low = mul_wide(a.x, b.x);
  return vec2<u32>(low.x, low.y + a.x * b.y + a.y * b.x);
}
fn mix64(value: vec2<u32>) -> vec2<u32> {
  var x = add64(value, vec2<u32>(0x7f4a7c15u, 0x9e3779b9u));
  x = mul64(x ^ shr64(x, 30u), vec2<u32>(0x1ce4e5b9u, 0xbf58476du));
  x = mul64(x ^ shr64(x, 27u), vec2<u32>(0x133111ebu, 0x94d049bbu));
  return x ^ shr64(x, 31u);
}`;

  const kernels = {
    fill: kernel([['y', W]], 'pu(0u)', 'y[i] = pf(1u);'),
    copy: kernel([['x', R], ['y', W]], 'pu(0u)', 'y[i] = x[i];'),
    copy_into: kernel([['x', R], ['y', W]], 'pu(0u)', 'y[pu(1u) + i] = x[i];'),
    // op 0: a + b, op 1: a * b.
    combine: kernel([['a', R], ['b', R], ['y', W]], 'pu(0u)', 'y[i] = select(a[i] + b[i], a[i] * b[i], pu(1u) == 1u);'),
    // params: N, Cin, Lin, Cout, K, stride, dilation, pad_left, Lout, has_bias.
    conv_forward: kernel([['x', R], ['w', R], ['b', R], ['y', W]], 'pu(0u) * pu(3u) * pu(8u)', `
    let cin = pu(1u); let lin = pu(2u); let cout = pu(3u); let k_size = pu(4u);
    let stride = pu(5u); let dil = pu(6u); let pad = i32(pu(7u)); let lout = pu(8u);
    let l = i % lout; let co = (i / lout) % cout; let n = i / (lout * cout);
    var acc = 0.0;
    for (var ci = 0u; ci < cin; ci = ci + 1u) {
      for (var k = 0u; k < k_size; k = k + 1u) {
        let pos = i32(l * stride + k * dil) - pad;
        if (pos >= 0 && pos < i32(lin)) {
          acc = acc + w[(co * cin + ci) * k_size + k] * x[(n * cin + ci) * lin + u32(pos)];
        }
      }
    }
    if (pu(9u) == 1u) { acc = acc + b[co]; }
    y[i] = acc;`),
    conv_backward_input: kernel([['dy', R], ['w', R], ['dx', W]], 'pu(0u) * pu(1u) * pu(2u)', `
    let cin = pu(1u); let lin = pu(2u); let cout = pu(3u); let k_size = pu(4u);
    let stride = i32(pu(5u)); let dil = i32(pu(6u)); let pad = i32(pu(7u)); let lout = i32(pu(8u));
    let li = i32(i % lin); let ci = (i / lin) % cin; let n = i / (lin * cin);
    var acc = 0.0;
    for (var co = 0u; co < cout; co = co + 1u) {
      for (var k = 0u; k < k_size; k = k + 1u) {
        let t = li + pad - i32(k) * dil;
        if (t >= 0 && t % stride == 0 && t / stride < lout) {
          acc = acc + w[(co * cin + ci) * k_size + k] * dy[(n * cout + co) * u32(lout) + u32(t / stride)];
        }
      }
    }
    dx[i] = acc;`),
    conv_backward_weight: kernel([['x', R], ['dy', R], ['gw', W]], 'pu(3u) * pu(1u) * pu(4u)', `
    let batch = pu(0u); let cin = pu(1u); let lin = i32(pu(2u)); let cout = pu(3u); let k_size = pu(4u);
    let stride = pu(5u); let dil = pu(6u); let pad = i32(pu(7u)); let lout = pu(8u);
    let k = i % k_size; let ci = (i / k_size) % cin; let co = i / (k_size * cin);
    var acc = 0.0;
    for (var n = 0u; n < batch; n = n + 1u) {
      for (var lo = 0u; lo < lout; lo = lo + 1u) {
        let pos = i32(lo * stride + k * dil) - pad;
        if (pos >= 0 && pos < lin) {
          acc = acc + dy[(n * cout + co) * lout + lo] * x[(n * cin + ci) * u32(lin) + u32(pos)];
        }
      }
    }
    gw[i] = gw[i] + acc;`),
    // params: N, C, L: gb[c] += sum over n, l of dy[n, c, l].
    bias_backward: kernel([['dy', R], ['gb', W]], 'pu(1u)', `
    let batch = pu(0u); let channels = pu(1u); let length = pu(2u);
    var acc = 0.0;
    for (var n = 0u; n < batch; n = n + 1u) {
      for (var l = 0u; l < length; l = l + 1u) { acc = acc + dy[(n * channels + i) * length + l]; }
    }
    gb[i] = gb[i] + acc;`),
    // params: rows, in, out, has_bias.
    linear_forward: kernel([['x', R], ['w', R], ['b', R], ['y', W]], 'pu(0u) * pu(2u)', `
    let fin = pu(1u); let fout = pu(2u);
    let o = i % fout; let r = i / fout;
    var acc = 0.0;
    for (var j = 0u; j < fin; j = j + 1u) { acc = acc + x[r * fin + j] * w[o * fin + j]; }
    if (pu(3u) == 1u) { acc = acc + b[o]; }
    y[i] = acc;`),
    linear_backward_input: kernel([['dy', R], ['w', R], ['dx', W]], 'pu(0u) * pu(1u)', `
    let fin = pu(1u); let fout = pu(2u);
    let j = i % fin; let r = i / fin;
    var acc = 0.0;
    for (var o = 0u; o < fout; o = o + 1u) { acc = acc + dy[r * fout + o] * w[o * fin + j]; }
    dx[i] = acc;`),
    linear_backward_weight: kernel([['x', R], ['dy', R], ['gw', W]], 'pu(2u) * pu(1u)', `
    let rows = pu(0u); let fin = pu(1u); let fout = pu(2u);
    let j = i % fin; let o = i / fin;
    var acc = 0.0;
    for (var r = 0u; r < rows; r = r + 1u) { acc = acc + dy[r * fout + o] * x[r * fin + j]; }
    gw[i] = gw[i] + acc;`),
    activation_forward: kernel([['x', R], ['y', W]], 'pu(0u)', 'y[i] = activate(pu(1u), x[i]);', activation),
    activation_backward: kernel([['x', R], ['dy', R], ['dx', W]], 'pu(0u)', 'dx[i] = dy[i] * derivative(pu(1u), x[i]);', activation),
    // params: rows, Lin, Lout, K, stride. The first maximum wins; a NaN is taken and kept.
    max_pool_forward: kernel([['x', R], ['y', W], ['arg', W, 'i32']], 'pu(0u) * pu(2u)', `
    let lin = pu(1u); let lout = pu(2u); let k_size = pu(3u); let stride = pu(4u);
    let j = i % lout; let r = i / lout;
    var best = j * stride;
    for (var p = best + 1u; p < j * stride + k_size; p = p + 1u) {
      let a = x[r * lin + p]; let b = x[r * lin + best];
      if (a > b || (a != a && b == b)) { best = p; }
    }
    y[i] = x[r * lin + best];
    arg[i] = i32(best);`),
    max_pool_backward: kernel([['dy', R], ['arg', R, 'i32'], ['dx', W]], 'pu(0u) * pu(1u)', `
    let lin = pu(1u); let lout = pu(2u); let k_size = pu(3u); let stride = pu(4u);
    let p = i % lin; let r = i / lin;
    var acc = 0.0;
    var first = 0u;
    if (p + 1u > k_size) { first = (p + 1u - k_size + stride - 1u) / stride; }
    for (var j = first; j < lout && j * stride <= p; j = j + 1u) {
      if (arg[r * lout + j] == i32(p)) { acc = acc + dy[r * lout + j]; }
    }
    dx[i] = acc;`),
    avg_pool_forward: kernel([['x', R], ['y', W]], 'pu(0u) * pu(2u)', `
    let lin = pu(1u); let lout = pu(2u); let k_size = pu(3u); let stride = pu(4u);
    let j = i % lout; let r = i / lout;
    var sum = 0.0;
    for (var p = j * stride; p < j * stride + k_size; p = p + 1u) { sum = sum + x[r * lin + p]; }
    y[i] = sum * (1.0 / f32(k_size));`),
    avg_pool_backward: kernel([['dy', R], ['dx', W]], 'pu(0u) * pu(1u)', `
    let lin = pu(1u); let lout = pu(2u); let k_size = pu(3u); let stride = pu(4u);
    let p = i % lin; let r = i / lin;
    let scale = 1.0 / f32(k_size);
    var acc = 0.0;
    var first = 0u;
    if (p + 1u > k_size) { first = (p + 1u - k_size + stride - 1u) / stride; }
    for (var j = first; j < lout && j * stride <= p; j = j + 1u) { acc = acc + dy[r * lout + j] * scale; }
    dx[i] = acc;`),
    // params: n, kind (0 mse, 1 poisson, 2 bce), pos_weight count, last axis. Writes
    // each element's term and its gradient; loss_mean then sums the terms.
    loss_terms: kernel([['out', R], ['goal', R], ['pw', R], ['grad', W], ['terms', W]], 'pu(0u)', `
    let n = f32(pu(0u)); let kind = pu(1u);
    let x = out[i]; let y = goal[i];
    if (kind == 0u) {
      let d = x - y;
      terms[i] = d * d;
      grad[i] = 2.0 * d / n;
    } else if (kind == 1u) {
      let rate = exp(x);
      terms[i] = rate - y * x;
      grad[i] = (rate - y) / n;
    } else {
      var w = 1.0;
      if (pu(2u) == 1u) { w = pw[0]; }
      if (pu(2u) > 1u) { w = pw[i % pu(3u)]; }
      let softplus_x = max(x, 0.0) + log(1.0 + exp(-abs(x)));
      let softplus_neg = max(-x, 0.0) + log(1.0 + exp(-abs(x)));
      terms[i] = w * y * softplus_neg + (1.0 - y) * softplus_x;
      let s = 1.0 / (1.0 + exp(-x));
      grad[i] = (-w * y * (1.0 - s) + (1.0 - y) * s) / n;
    }`),
    // One workgroup: 256 strided partial sums, then a tree, in a fixed order.
    loss_mean: `${prelude}
@group(0) @binding(1) var<storage, read> terms: array<f32>;
@group(0) @binding(2) var<storage, read_write> value: array<f32>;
var<workgroup> partial: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  let n = pu(0u);
  var sum = 0.0;
  for (var i = lid.x; i < n; i = i + 256u) { sum = sum + terms[i]; }
  partial[lid.x] = sum;
  workgroupBarrier();
  for (var width = 128u; width > 0u; width = width / 2u) {
    if (lid.x < width) { partial[lid.x] = partial[lid.x] + partial[lid.x + width]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) { value[0] = partial[0] / f32(n); }
}`,
    // BatchNorm1d. params: N, C, L, training, eps, momentum, unbiased (L / (L - 1) of
    // the count). One workgroup per channel: the mean, then the biased variance about it
    // (two passes, each 256 strided partial sums and a tree, in a fixed order), the
    // running averages moved by momentum (the variance unbiased).
    batch_norm_moments: `${prelude}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> running_mean: array<f32>;
@group(0) @binding(3) var<storage, read_write> running_var: array<f32>;
@group(0) @binding(4) var<storage, read_write> mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> inverse_std: array<f32>;
${channelSum}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let batch = pu(0u); let channels = pu(1u); let len = pu(2u);
  let count = f32(batch * len);
  for (var c = wid.x; c < channels; c = c + groups.x) {
    var sum = 0.0;
    for (var j = lid.x; j < batch * len; j = j + 256u) { sum = sum + x[((j / len) * channels + c) * len + j % len]; }
    let m = channel_sum(lid.x, sum) / count;
    var squares = 0.0;
    for (var j = lid.x; j < batch * len; j = j + 256u) {
      let d = x[((j / len) * channels + c) * len + j % len] - m;
      squares = squares + d * d;
    }
    let variance = channel_sum(lid.x, squares) / count;
    if (lid.x == 0u) {
      mean[c] = m;
      inverse_std[c] = 1.0 / sqrt(variance + pf(4u));
      let momentum = pf(5u);
      running_mean[c] = (1.0 - momentum) * running_mean[c] + momentum * m;
      running_var[c] = (1.0 - momentum) * running_var[c] + momentum * variance * pf(6u);
    }
  }
}`,
    batch_norm_running: kernel([['running_mean', R], ['running_var', R], ['mean', W], ['inverse_std', W]], 'pu(1u)', `
    mean[i] = running_mean[i];
    inverse_std[i] = 1.0 / sqrt(running_var[i] + pf(4u));`),
    // y = x a + b with a = inverse_std scale, b = shift - mean a: the CPU's expression.
    batch_norm_normalize: kernel([['x', R], ['mean', R], ['inverse_std', R], ['scale', R], ['shift', R], ['y', W]],
      'pu(0u) * pu(1u) * pu(2u)', `
    let c = (i / pu(2u)) % pu(1u);
    let a = inverse_std[c] * scale[c];
    let b = shift[c] - mean[c] * a;
    y[i] = x[i] * a + b;`),
    // params: N, C, L, batch statistics, has grad scale, has grad shift. Per channel: the
    // sums of dy and dy x_hat (kept in sums[2c], sums[2c + 1]) added to the gradients.
    batch_norm_sums: `${prelude}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> inverse_std: array<f32>;
@group(0) @binding(5) var<storage, read_write> sums: array<f32>;
@group(0) @binding(6) var<storage, read_write> grad_scale: array<f32>;
@group(0) @binding(7) var<storage, read_write> grad_shift: array<f32>;
${channelSum}
@compute @workgroup_size(256)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let batch = pu(0u); let channels = pu(1u); let len = pu(2u);
  for (var c = wid.x; c < channels; c = c + groups.x) {
    var sum_dy = 0.0;
    var sum_dy_xhat = 0.0;
    for (var j = lid.x; j < batch * len; j = j + 256u) {
      let index = ((j / len) * channels + c) * len + j % len;
      sum_dy = sum_dy + dy[index];
      sum_dy_xhat = sum_dy_xhat + dy[index] * ((x[index] - mean[c]) * inverse_std[c]);
    }
    let total_dy = channel_sum(lid.x, sum_dy);
    let total_dy_xhat = channel_sum(lid.x, sum_dy_xhat);
    if (lid.x == 0u) {
      sums[2u * c] = total_dy;
      sums[2u * c + 1u] = total_dy_xhat;
      if (pu(4u) == 1u) { grad_scale[c] = grad_scale[c] + total_dy_xhat; }
      if (pu(5u) == 1u) { grad_shift[c] = grad_shift[c] + total_dy; }
    }
  }
}`,
    batch_norm_backward_input: kernel([['x', R], ['dy', R], ['mean', R], ['inverse_std', R], ['sums', R], ['scale', R],
      ['dx', W]], 'pu(0u) * pu(1u) * pu(2u)', `
    let c = (i / pu(2u)) % pu(1u);
    var d = dy[i];
    if (pu(3u) == 1u) {
      let x_hat = (x[i] - mean[c]) * inverse_std[c];
      d = d - (sums[2u * c] + x_hat * sums[2u * c + 1u]) / f32(pu(0u) * pu(2u));
    }
    dx[i] = d * scale[c] * inverse_std[c];`),
    // Dropout's mask from the counter-based RNG (random.h): element i keeps with
    // keep_scale when the top 53 bits of mix64(key ^ mix64(position + i)) are at least
    // ceil(p 2^53). params: n, key (lo, hi), position (lo, hi), threshold (lo, hi),
    // keep_scale. 64-bit words as (lo, hi) pairs of u32.
    dropout_mask: kernel([['mask', W]], 'pu(0u)', `
    let counter = add64(vec2<u32>(pu(3u), pu(4u)), vec2<u32>(i, 0u));
    let bits = mix64(vec2<u32>(pu(1u), pu(2u)) ^ mix64(counter));
    let top = vec2<u32>((bits.x >> 11u) | (bits.y << 21u), bits.y >> 11u);
    let threshold = vec2<u32>(pu(5u), pu(6u));
    let keep = top.y > threshold.y || (top.y == threshold.y && top.x >= threshold.x);
    mask[i] = select(0.0, pf(7u), keep);`, splitmix),
    // params: n, beta1, beta2, keep1, keep2, eps, coupled_decay, step_size, correction2_sqrt, shrink.
    adam: kernel([['w', W], ['g', R], ['m', W], ['v', W]], 'pu(0u)', `
    let w0 = w[i] * pf(9u);
    var grad = g[i];
    if (pf(6u) != 0.0) { grad = grad + pf(6u) * w0; }
    let m_i = m[i] * pf(1u) + pf(3u) * grad;
    let v_i = v[i] * pf(2u) + pf(4u) * (grad * grad);
    m[i] = m_i;
    v[i] = v_i;
    let denominator = sqrt(v_i) / pf(8u) + pf(5u);
    w[i] = w0 - pf(7u) * (m_i / denominator);`),
    // params: n, lr, decay, momentum, blend, first, nesterov, has_momentum.
    sgd: kernel([['w', W], ['g', R], ['b', W]], 'pu(0u)', `
    var d = g[i];
    if (pf(2u) != 0.0) { d = d + pf(2u) * w[i]; }
    var direction = d;
    if (pu(7u) == 1u) {
      var buffer = d;
      if (pu(5u) == 0u) { buffer = b[i] * pf(3u) + pf(4u) * d; }
      b[i] = buffer;
      direction = buffer;
      if (pu(6u) == 1u) { direction = d + pf(3u) * buffer; }
    }
    w[i] = w[i] - pf(1u) * direction;`),
  };
  Module['epibookGpuKernels'] = kernels;
})();
