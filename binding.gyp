# The native socket shim (native/*.cc). Built by scripts/build-native.mjs, which passes
# --nodedir so node-gyp never downloads headers.
{
  'targets': [
    {
      'target_name': 'nlctl_native',
      'sources': [
        'native/addon.cc',
        'native/netlink_socket.cc',
      ],
      # node-addon-api without C++ exceptions: errors become pending JS exceptions, and nothing
      # can unwind through a libuv callback.
      'dependencies': [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api",
      ],
      # Node 20 offers Node-API 9; 8 is enough (type tags, object freeze, cleanup hooks).
      # SWALLOW_UNTHROWABLE_EXCEPTIONS: a throw into an environment that is shutting down (a
      # Worker being terminated) is dropped instead of aborting the whole process.
      'defines': ['NAPI_VERSION=8', 'NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS'],
      # 'cflags' reach C and C++ alike; node's common.gypi asks for gnu++17, we want plain C++17.
      'cflags': ['-Wall', '-Wextra', '-fvisibility=hidden'],
      'cflags_cc!': ['-std=gnu++17'],
      'cflags_cc': ['-std=c++17'],
    },
  ],
}
