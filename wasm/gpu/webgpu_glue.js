// The JS side of epibook's WebGPU backend (webgpu_backend.cpp): emscripten 3.1.6's
// WebGPU bindings predate the browser's API, so the C++ calls these functions, which
// call navigator.gpu's objects directly. Pipelines are compiled once per kernel, buffers
// are pooled by size, a step's dispatches go into one compute pass of one command
// buffer, and the only reads back are asynchronous (mapAsync), never awaited in C++.
//
// The page opens the device before the module uses the backend:
//   createModule({ epibookGpu: { device } })   (web/labs/lab-host.js does it for the labs)

mergeInto(LibraryManager.library, {
  $EpibookGpu: {
    // The context: device, pipelines, buffer table and pool, the open encoder and pass.
    ctx: function () {
      const gpu = Module['epibookGpu'];
      if (!gpu || !gpu.device) return null;
      if (gpu.state) return gpu.state;
      const device = gpu.device;
      const state = {
        device,
        pipelines: new Map(),
        buffers: [null],          // id -> {buffer, bytes}
        free: new Map(),          // bytes -> [GPUBuffer]
        encoder: null,
        pass: null,
        dispatches: 0,
        paramSlot: 0,
        paramBytes: new ArrayBuffer(EpibookGpu.kParamSlots * 256),
        paramBuffer: device.createBuffer({ size: EpibookGpu.kParamSlots * 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
        pending: 0,               // downloads not yet landed
        requested: 0,             // downloads requested so far (each one's number)
        waiting: new Set(),       // the numbers of those not yet landed
        maps: [],                 // read backs to start after the next submit
        error: '',
        submits: 0,
      };
      device.lost.then((info) => { state.error = state.error || `WebGPU device lost: ${info.message || info.reason}`; });
      device.addEventListener('uncapturederror', (event) => {
        state.error = state.error || `WebGPU error: ${event.error.message}`;
      });
      gpu.state = state;
      // Resolves when every download has landed (for tests and the trainer's poll).
      gpu.idle = () => new Promise((resolve) => {
        const check = () => (state.pending === 0 || state.error ? resolve(state.error) : setTimeout(check, 1));
        check();
      });
      return state;
    },
    kParamSlots: 512,
    pipeline: function (state, kernel) {
      let pipeline = state.pipelines.get(kernel);
      if (!pipeline) {
        const source = Module['epibookGpuKernels'][kernel];
        if (!source) throw new Error(`no WGSL kernel ${kernel}`);
        const module = state.device.createShaderModule({ code: source });
        pipeline = state.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
        state.pipelines.set(kernel, pipeline);
      }
      return pipeline;
    },
    // Ends the open pass and submits everything recorded, with the step's parameters.
    flush: function (state) {
      if (!state.encoder) return;
      if (state.pass) state.pass.end();
      state.pass = null;
      if (state.paramSlot > 0) {
        state.device.queue.writeBuffer(state.paramBuffer, 0, state.paramBytes, 0, state.paramSlot * 256);
      }
      state.device.queue.submit([state.encoder.finish()]);
      state.encoder = null;
      state.paramSlot = 0;
      state.submits += 1;
      const maps = state.maps;
      state.maps = [];
      for (const map of maps) map();
    },
    encoder: function (state) {
      if (!state.encoder) state.encoder = state.device.createCommandEncoder();
      return state.encoder;
    },
  },

  epibook_gpu_available__deps: ['$EpibookGpu'],
  epibook_gpu_available: function () {
    const state = EpibookGpu.ctx();
    return state && !state.error ? 1 : 0;  // a lost device is not offered again
  },

  // 0 when healthy, else the length of the first error's message (read with _error).
  epibook_gpu_error_length__deps: ['$EpibookGpu'],
  epibook_gpu_error_length: function () {
    const state = EpibookGpu.ctx();
    if (!state) return lengthBytesUTF8('WebGPU: no device (the page did not open one)');
    return state.error ? lengthBytesUTF8(state.error) : 0;
  },
  epibook_gpu_error__deps: ['$EpibookGpu'],
  epibook_gpu_error: function (out, capacity) {
    const state = EpibookGpu.ctx();
    stringToUTF8(state ? state.error : 'WebGPU: no device (the page did not open one)', out, capacity);
  },

  // A buffer of `bytes` (a multiple of 4) from the pool; returns its id.
  epibook_gpu_create__deps: ['$EpibookGpu'],
  epibook_gpu_create: function (bytes) {
    const state = EpibookGpu.ctx();
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    const pool = state.free.get(size);
    let buffer = pool && pool.length ? pool.pop() : null;
    if (!buffer) {
      buffer = state.device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    }
    state.buffers.push({ buffer, size });
    return state.buffers.length - 1;
  },

  epibook_gpu_release__deps: ['$EpibookGpu'],
  epibook_gpu_release: function (id) {
    const gpu = Module['epibookGpu'];
    const state = gpu && gpu.state;
    if (!state || !state.buffers[id]) return;
    const { buffer, size } = state.buffers[id];
    state.buffers[id] = null;
    if (!state.free.has(size)) state.free.set(size, []);
    state.free.get(size).push(buffer);
  },

  // Host bytes [ptr, ptr + bytes) into buffer `id`. Work already recorded is submitted
  // first, so it reads the buffer's old contents as its order says.
  epibook_gpu_upload__deps: ['$EpibookGpu'],
  epibook_gpu_upload: function (id, ptr, bytes) {
    const state = EpibookGpu.ctx();
    if (state.dispatches > 0 || state.encoder) EpibookGpu.flush(state);
    state.dispatches = 0;
    if (bytes > 0) state.device.queue.writeBuffer(state.buffers[id].buffer, 0, HEAPU8.buffer, ptr, bytes);
  },

  // Buffer `id` into host bytes [ptr, ptr + bytes), asynchronously: the copy joins the
  // recorded work, and the host bytes are written once the device has done it, after the
  // next submit (so a step's read backs share its one command buffer).
  epibook_gpu_download__deps: ['$EpibookGpu'],
  epibook_gpu_download: function (id, ptr, bytes) {
    const state = EpibookGpu.ctx();
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    const staging = state.device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = EpibookGpu.encoder(state);
    if (state.pass) { state.pass.end(); state.pass = null; }
    encoder.copyBufferToBuffer(state.buffers[id].buffer, 0, staging, 0, size);
    state.pending += 1;
    const number = ++state.requested;
    state.waiting.add(number);
    const landed = () => {
      state.pending -= 1;
      state.waiting.delete(number);
    };
    state.maps.push(() => staging.mapAsync(GPUMapMode.READ).then(() => {
      HEAPU8.set(new Uint8Array(staging.getMappedRange(0, size), 0, bytes), ptr);
      staging.unmap();
      staging.destroy();
      landed();
    }, (error) => {
      state.error = state.error || `WebGPU read back failed: ${error.message}`;
      landed();
    }));
  },

  epibook_gpu_pending__deps: ['$EpibookGpu'],
  epibook_gpu_pending: function () {
    const state = EpibookGpu.ctx();
    return state ? state.pending : 0;
  },

  // Downloads are numbered from 1 as requested: the last number, and whether every one
  // up to `through` has landed (a step's loss, when a later step's is still on its way).
  epibook_gpu_downloads_requested__deps: ['$EpibookGpu'],
  epibook_gpu_downloads_requested: function () {
    const state = EpibookGpu.ctx();
    return state ? state.requested : 0;
  },
  epibook_gpu_downloads_done__deps: ['$EpibookGpu'],
  epibook_gpu_downloads_done: function (through) {
    const state = EpibookGpu.ctx();
    if (!state) return 1;
    for (const number of state.waiting) if (number <= through) return 0;
    return 1;
  },

  epibook_gpu_submit__deps: ['$EpibookGpu'],
  epibook_gpu_submit: function () {
    const state = EpibookGpu.ctx();
    EpibookGpu.flush(state);
    state.dispatches = 0;
  },

  // Records one dispatch of `kernel` (a name in Module.epibookGpuKernels): parameters
  // are 16 32-bit words at `params`, buffers the `count` ids at `ids` (bindings 1..),
  // `groups` workgroups of 256 threads.
  epibook_gpu_dispatch__deps: ['$EpibookGpu'],
  epibook_gpu_dispatch: function (kernelPtr, params, ids, count, groups) {
    const state = EpibookGpu.ctx();
    const kernel = UTF8ToString(kernelPtr);
    if (state.paramSlot >= EpibookGpu.kParamSlots) EpibookGpu.flush(state);
    const pipeline = EpibookGpu.pipeline(state, kernel);
    const slot = state.paramSlot++;
    new Uint32Array(state.paramBytes, slot * 256, 16).set(HEAPU32.subarray(params >> 2, (params >> 2) + 16));
    const entries = [{ binding: 0, resource: { buffer: state.paramBuffer, offset: slot * 256, size: 64 } }];
    for (let i = 0; i < count; ++i) {
      const id = HEAP32[(ids >> 2) + i];
      entries.push({ binding: i + 1, resource: { buffer: state.buffers[id].buffer } });
    }
    const group = state.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
    const encoder = EpibookGpu.encoder(state);
    if (!state.pass) state.pass = encoder.beginComputePass();
    state.pass.setPipeline(pipeline);
    state.pass.setBindGroup(0, group);
    state.pass.dispatchWorkgroups(groups);
    state.dispatches += 1;
  },

  // Counters for measurements: [submits, buffers alive, pipelines].
  epibook_gpu_submits__deps: ['$EpibookGpu'],
  epibook_gpu_submits: function () {
    const state = EpibookGpu.ctx();
    return state ? state.submits : 0;
  },
});
