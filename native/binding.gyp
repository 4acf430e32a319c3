{
  "targets": [
    {
      "target_name": "ts_ipa_native",
      "sources": ["src/addon.cc", "src/fds.cc", "src/socket.cc", "src/watcher.cc", "src/process.cc", "src/sandbox.cc", "src/landlock.cc", "src/every-thread.cc", "src/media.cc", "src/video.cc", "src/device-watcher.cc", "src/controls.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=9", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra"],
      "cflags_cc!": ["-fno-exceptions"],
      "conditions": [["OS!='linux'", { "sources!": ["src/fds.cc", "src/socket.cc", "src/watcher.cc", "src/process.cc", "src/sandbox.cc", "src/landlock.cc", "src/every-thread.cc", "src/media.cc", "src/video.cc", "src/device-watcher.cc", "src/controls.cc"] }]]
    },
    {
      "target_name": "ts-ipa-launch",
      "type": "executable",
      "conditions": [["OS=='linux'", { "sources": ["src/launch.c"], "ldflags": ["-static", "-s"] }]],
      "cflags": ["-Wall", "-Wextra"]
    }
  ]
}
