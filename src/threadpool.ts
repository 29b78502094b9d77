// Imported first by main.ts, before anything touches the file system asynchronously: every
// durable write is several fs calls (open, write, fsync, rename, directory fsync) on libuv's
// thread pool, whose default of 4 threads queues them behind each other under load.
process.env.UV_THREADPOOL_SIZE ??= '16';
