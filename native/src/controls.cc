// V4L2 controls of video devices and sub-devices: enumeration (VIDIOC_QUERY_EXT_CTRL, menus) and
// extended get/set. Integer-like controls are numbers, 64-bit ones bigints, strings strings and
// u8/u16/u32 arrays typed arrays.
#include <linux/videodev2.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "ioctl.h"

namespace tsipa {

static v4l2_query_ext_ctrl QueryControl(Napi::Env env, int fd, uint32_t id) {
  v4l2_query_ext_ctrl query = {};
  query.id = id;
  Ioctl(env, fd, VIDIOC_QUERY_EXT_CTRL, "VIDIOC_QUERY_EXT_CTRL", &query);
  return query;
}

static std::string Hex(uint32_t id) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", id);
  return text;
}

// queryControls(fd): every control but class headers, with ranges, flags and menu items.
static Napi::Value QueryControls(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  Napi::Array result = Napi::Array::New(env);
  uint32_t count = 0;
  v4l2_query_ext_ctrl query = {};
  query.id = V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND;
  for (;;) {
    int ret;
    do ret = ioctl(fd, VIDIOC_QUERY_EXT_CTRL, &query);
    while (ret < 0 && errno == EINTR);
    // EINVAL ends the list; ENOTTY says the device has no controls at all.
    if (ret < 0 && (errno == EINVAL || (errno == ENOTTY && count == 0))) break;
    if (ret < 0) throw SystemError(env, errno, "VIDIOC_QUERY_EXT_CTRL");
    uint32_t id = query.id;
    if (query.type != V4L2_CTRL_TYPE_CTRL_CLASS) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("id", id);
      o.Set("name", KernelString(env, query.name));
      o.Set("type", query.type);
      o.Set("minimum", Napi::BigInt::New(env, static_cast<int64_t>(query.minimum)));
      o.Set("maximum", Napi::BigInt::New(env, static_cast<int64_t>(query.maximum)));
      o.Set("step", Napi::BigInt::New(env, static_cast<uint64_t>(query.step)));
      o.Set("defaultValue", Napi::BigInt::New(env, static_cast<int64_t>(query.default_value)));
      o.Set("flags", query.flags);
      o.Set("elements", query.elems);
      o.Set("elementSize", query.elem_size);
      if (query.type == V4L2_CTRL_TYPE_MENU || query.type == V4L2_CTRL_TYPE_INTEGER_MENU) {
        Napi::Array items = Napi::Array::New(env);
        uint32_t n = 0;
        for (int64_t index = query.minimum; index <= query.maximum; index++) {
          v4l2_querymenu menu = {};
          menu.id = id;
          menu.index = static_cast<uint32_t>(index);
          if (!IoctlUnless(env, fd, VIDIOC_QUERYMENU, "VIDIOC_QUERYMENU", &menu, EINVAL)) continue;
          Napi::Object item = Napi::Object::New(env);
          item.Set("index", menu.index);
          if (query.type == V4L2_CTRL_TYPE_MENU) item.Set("name", KernelString(env, menu.name));
          else item.Set("value", Napi::BigInt::New(env, static_cast<int64_t>(menu.value)));
          items.Set(n++, item);
        }
        o.Set("menu", items);
      }
      result.Set(count++, o);
    }
    query = {};
    query.id = id | V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND;
  }
  return result;
}

// The storage of one control's value while an ioctl reads or writes it.
struct ControlSlot {
  v4l2_query_ext_ctrl query;
  std::unique_ptr<uint8_t[]> payload;
};

static bool HasPayload(const v4l2_query_ext_ctrl& q) {
  return q.type == V4L2_CTRL_TYPE_STRING || (q.flags & V4L2_CTRL_FLAG_HAS_PAYLOAD);
}

static void Prepare(ControlSlot& slot, v4l2_ext_control& control) {
  control.id = slot.query.id;
  if (HasPayload(slot.query)) {
    uint32_t size = slot.query.type == V4L2_CTRL_TYPE_STRING ? static_cast<uint32_t>(slot.query.maximum) + 1 : slot.query.elem_size * slot.query.elems;
    slot.payload.reset(new uint8_t[size]());
    control.size = size;
    control.ptr = slot.payload.get();
  }
}

static Napi::Value ValueOf(Napi::Env env, const ControlSlot& slot, const v4l2_ext_control& control) {
  const v4l2_query_ext_ctrl& q = slot.query;
  if (q.type == V4L2_CTRL_TYPE_INTEGER64) return Napi::BigInt::New(env, static_cast<int64_t>(control.value64));
  if (!HasPayload(q)) return Napi::Number::New(env, control.value);
  if (q.type == V4L2_CTRL_TYPE_STRING) return Napi::String::New(env, control.string, strnlen(control.string, control.size));
  size_t bytes = control.size;
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, bytes);
  std::memcpy(buffer.Data(), control.ptr, bytes);
  if (q.elem_size == 2) return Napi::Uint16Array::New(env, bytes / 2, buffer, 0);
  if (q.elem_size == 4) return Napi::Uint32Array::New(env, bytes / 4, buffer, 0);
  return Napi::Uint8Array::New(env, bytes, buffer, 0);
}

// The control that failed, when the driver says (error_idx below the count).
static void ThrowFailed(Napi::Env env, const char* name, int err, const v4l2_ext_controls& controls) {
  std::string detail;
  if (controls.error_idx < controls.count) detail = "control " + Hex(controls.controls[controls.error_idx].id);
  throw SystemError(env, err, name, detail);
}

// Runs G_EXT_CTRLS or S_EXT_CTRLS on the prepared list; the values as the driver left them.
static Napi::Value Exchange(Napi::Env env, int fd, unsigned long request, const char* name,
                            const std::vector<ControlSlot>& slots, std::vector<v4l2_ext_control>& list) {
  v4l2_ext_controls controls = {};
  controls.which = V4L2_CTRL_WHICH_CUR_VAL;
  controls.count = static_cast<uint32_t>(list.size());
  controls.controls = list.data();
  int ret;
  do ret = ioctl(fd, request, &controls);
  while (ret < 0 && errno == EINTR);
  if (ret < 0) ThrowFailed(env, name, errno, controls);
  Napi::Array values = Napi::Array::New(env, list.size());
  for (uint32_t i = 0; i < list.size(); i++) values.Set(i, ValueOf(env, slots[i], list[i]));
  return values;
}

// getControls(fd, ids): VIDIOC_G_EXT_CTRLS; the values in the order of the ids.
static Napi::Value GetControls(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  Napi::Array ids = info[1].As<Napi::Array>();
  std::vector<ControlSlot> slots(ids.Length());
  std::vector<v4l2_ext_control> list(ids.Length());
  for (uint32_t i = 0; i < ids.Length(); i++) {
    slots[i].query = QueryControl(env, fd, ids.Get(i).As<Napi::Number>().Uint32Value());
    list[i] = {};
    Prepare(slots[i], list[i]);
  }
  return Exchange(env, fd, VIDIOC_G_EXT_CTRLS, "VIDIOC_G_EXT_CTRLS", slots, list);
}

// setControls(fd, [[id, value], ...]): VIDIOC_S_EXT_CTRLS, all or none; returns the values the
// driver applied (it may clamp them).
static Napi::Value SetControls(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = FdArg(info, 0);
  Napi::Array pairs = info[1].As<Napi::Array>();
  std::vector<ControlSlot> slots(pairs.Length());
  std::vector<v4l2_ext_control> list(pairs.Length());
  for (uint32_t i = 0; i < pairs.Length(); i++) {
    Napi::Array pair = pairs.Get(i).As<Napi::Array>();
    uint32_t id = pair.Get(0u).As<Napi::Number>().Uint32Value();
    Napi::Value value = pair.Get(1u);
    slots[i].query = QueryControl(env, fd, id);
    list[i] = {};
    Prepare(slots[i], list[i]);
    const v4l2_query_ext_ctrl& q = slots[i].query;
    std::string what = "control " + Hex(id) + " (" + reinterpret_cast<const char*>(q.name) + ")";
    if (q.type == V4L2_CTRL_TYPE_INTEGER64) {
      if (!value.IsBigInt() && !value.IsNumber()) throw Napi::TypeError::New(env, what + " takes a bigint");
      bool lossless;
      list[i].value64 = value.IsBigInt() ? value.As<Napi::BigInt>().Int64Value(&lossless) : value.As<Napi::Number>().Int64Value();
    } else if (q.type == V4L2_CTRL_TYPE_STRING) {
      if (!value.IsString()) throw Napi::TypeError::New(env, what + " takes a string");
      std::string text = value.As<Napi::String>().Utf8Value();
      if (text.size() > static_cast<size_t>(q.maximum)) throw Napi::RangeError::New(env, what + " takes at most " + std::to_string(q.maximum) + " bytes");
      std::memcpy(list[i].string, text.data(), text.size());
    } else if (HasPayload(q)) {
      if (!value.IsTypedArray()) throw Napi::TypeError::New(env, what + " takes a typed array");
      Napi::TypedArray array = value.As<Napi::TypedArray>();
      if (array.ByteLength() != list[i].size) throw Napi::RangeError::New(env, what + " takes " + std::to_string(list[i].size) + " bytes");
      std::memcpy(list[i].ptr, static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset(), list[i].size);
    } else {
      if (!value.IsNumber() && !value.IsBoolean()) throw Napi::TypeError::New(env, what + " takes a number");
      list[i].value = value.IsBoolean() ? (value.As<Napi::Boolean>().Value() ? 1 : 0) : value.As<Napi::Number>().Int32Value();
    }
  }
  return Exchange(env, fd, VIDIOC_S_EXT_CTRLS, "VIDIOC_S_EXT_CTRLS", slots, list);
}

void InitControls(Napi::Env env, Napi::Object exports) {
  exports.Set("queryControls", Napi::Function::New(env, QueryControls, "queryControls"));
  exports.Set("getControls", Napi::Function::New(env, GetControls, "getControls"));
  exports.Set("setControls", Napi::Function::New(env, SetControls, "setControls"));
}

}  // namespace tsipa
