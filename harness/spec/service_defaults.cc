#include "harness/spec/service_defaults.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <string>

#include "common/error.h"
#include "harness/spec/json_parse.h"

namespace chancho {
namespace {

using rapidjson::Value;

std::string Text(const Value& value) {
  return std::string(value.GetString(), value.GetStringLength());
}

bool IsOutputNodesKey(std::string_view key) {
  return key == "output_nodes" || key.ends_with("_output_nodes");
}

// The object at `key` of `root`, checked; nullptr when absent.
const Value* ObjectAt(const Value& root, const char* key,
                      const std::string& label) {
  const auto it = root.FindMember(key);
  if (it == root.MemberEnd()) return nullptr;
  if (!it->value.IsObject()) {
    throw Error(label + ": /" + key + ": expected an object");
  }
  return &it->value;
}

// Relative config-file sources in `files` (a service's "config_files" from
// the defaults) made absolute, against the defaults file's directory.
void AnchorSources(Value& files, const std::filesystem::path& dir,
                   rapidjson::Document::AllocatorType& alloc) {
  if (!files.IsArray()) return;
  for (Value& file : files.GetArray()) {
    if (!file.IsObject()) continue;
    const auto source = file.FindMember("source");
    if (source == file.MemberEnd() || !source->value.IsString()) continue;
    const std::filesystem::path path = Text(source->value);
    if (path.is_absolute()) continue;
    source->value.SetString((dir / path).lexically_normal().string().c_str(),
                            alloc);
  }
}

void Rename(Value& value, const std::map<std::string, std::string>& aliases,
            rapidjson::Document::AllocatorType& alloc) {
  if (!value.IsString()) return;
  const auto it = aliases.find(Text(value));
  if (it != aliases.end()) value.SetString(it->second.c_str(), alloc);
}

}  // namespace

void ApplyServiceDefaults(rapidjson::Document& spec,
                          const std::filesystem::path& defaults_file) {
  const std::string label = defaults_file.string();
  std::ifstream in(defaults_file, std::ios::binary);
  if (!in) {
    throw Error(label + ": cannot read: " + std::strerror(errno));
  }
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  rapidjson::Document defaults;
  ParseJson(defaults, text, label);
  if (!defaults.IsObject()) throw Error(label + ": expected a JSON object");
  if (!spec.IsObject()) return;  // the spec's parser says what is wrong
  auto& alloc = spec.GetAllocator();
  const std::filesystem::path dir =
      std::filesystem::absolute(defaults_file).parent_path();

  std::map<std::string, std::string> aliases;
  if (const Value* object = ObjectAt(defaults, "aliases", label)) {
    for (const auto& alias : object->GetObject()) {
      if (!alias.value.IsString()) {
        throw Error(label + ": /aliases/" + Text(alias.name) +
                    ": expected a service name");
      }
      aliases[Text(alias.name)] = Text(alias.value);
    }
  }
  const Value* per_service = ObjectAt(defaults, "services", label);

  spec.RemoveMember("defaults");
  const auto services = spec.FindMember("services");
  if (services != spec.MemberEnd() && services->value.IsArray()) {
    for (Value& service : services->value.GetArray()) {
      if (!service.IsObject()) continue;
      for (auto& member : service.GetObject()) {
        const std::string key = Text(member.name);
        if (key == "name") {
          Rename(member.value, aliases, alloc);
        } else if (key == "depends_on" || IsOutputNodesKey(key)) {
          if (member.value.IsArray()) {
            for (Value& name : member.value.GetArray()) {
              Rename(name, aliases, alloc);
            }
          } else {
            Rename(member.value, aliases, alloc);
          }
        }
      }
      const auto name = service.FindMember("name");
      if (per_service == nullptr || name == service.MemberEnd() ||
          !name->value.IsString()) {
        continue;
      }
      const auto fill = per_service->FindMember(name->value);
      if (fill == per_service->MemberEnd()) continue;
      if (!fill->value.IsObject()) {
        throw Error(label + ": /services/" + Text(name->value) +
                    ": expected an object");
      }
      for (const auto& key : fill->value.GetObject()) {
        if (service.HasMember(key.name)) continue;
        Value copy(key.value, alloc);
        if (Text(key.name) == "config_files") AnchorSources(copy, dir, alloc);
        service.AddMember(Value(key.name, alloc), copy, alloc);
      }
    }
    if (const auto add = defaults.FindMember("add");
        add != defaults.MemberEnd()) {
      if (!add->value.IsArray()) {
        throw Error(label + ": /add: expected an array of services");
      }
      for (const Value& extra : add->value.GetArray()) {
        const auto name = extra.IsObject() ? extra.FindMember("name")
                                           : Value::ConstMemberIterator();
        if (!extra.IsObject() || name == extra.MemberEnd() ||
            !name->value.IsString()) {
          throw Error(label + ": /add: expected services with a name");
        }
        bool present = false;
        for (const Value& service : services->value.GetArray()) {
          present |= service.IsObject() && service.HasMember("name") &&
                     service["name"] == name->value;
        }
        if (present) continue;
        Value copy(extra, alloc);
        if (const auto files = copy.FindMember("config_files");
            files != copy.MemberEnd()) {
          AnchorSources(files->value, dir, alloc);
        }
        services->value.PushBack(copy, alloc);
      }
    }
  }
  for (const auto& key : defaults.GetObject()) {
    const std::string name = Text(key.name);
    if (name == "aliases" || name == "services" || name == "add") continue;
    if (spec.HasMember(key.name)) continue;
    spec.AddMember(Value(key.name, alloc), Value(key.value, alloc), alloc);
  }
}

}  // namespace chancho
