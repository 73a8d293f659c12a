{
  # Two addons, built one at a time:
  # - seamless_shm (the default: `node-gyp rebuild`, `npm run build:native`, the prebuild): the
  #   production addon, native/ only. It is what the package ships and loads.
  # - seamless_shm_bench (`node-gyp rebuild --seamless_bench=true`, `npm run build:bench-native`):
  #   the C++ ring and the futex waiter that only the benchmarks and the cross-implementation
  #   tests use, from bench/native/ (not shipped), as bench/build/seamless_shm_bench.addon.
  #   Not `.node`: node-gyp-build and prebuildify take the first `*.node` in build/Release/
  #   (where gyp also copies it) for the production addon.
  "variables": {
    "seamless_bench%": "false"
  },
  "target_defaults": {
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
    "defines": [
      "NAPI_VERSION=8",
      "NODE_ADDON_API_DISABLE_DEPRECATED",
      "NODE_ADDON_API_CPP_EXCEPTIONS"
    ],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"],
    "conditions": [
      ["OS=='mac'", {
        "xcode_settings": {
          "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
          "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
          "WARNING_CFLAGS": ["-Wall", "-Wextra"]
        }
      }]
    ]
  },
  "conditions": [
    ["seamless_bench!='true'", {
      "targets": [
        {
          "target_name": "seamless_shm",
          "sources": [
            "native/addon.cc",
            "native/segment.cc",
            "native/doorbell.cc"
          ],
          "conditions": [
            ["OS=='linux'", { "libraries": ["-lrt"] }]
          ]
        }
      ]
    }, {
      "targets": [
        {
          "target_name": "seamless_shm_bench",
          "product_dir": "<(module_root_dir)/bench/build",
          "target_conditions": [
            ["_type=='loadable_module'", { "product_extension": "addon" }]
          ],
          "sources": [
            "bench/native/bench-addon.cc",
            "bench/native/native-ring.cc",
            "bench/native/futex-waiter.cc"
          ]
        }
      ]
    }]
  ]
}
