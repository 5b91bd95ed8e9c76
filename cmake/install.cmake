# The installed package: headers under include/chancho/, the libraries and
# the chancho executable, and a CMake package (find_package(chancho)) with
#   chancho::harness   the harness, every library of it;
#   chancho::fixtures  the GoogleTest fixtures (when built);
#   chancho::chancho   the executable.
include(CMakePackageConfigHelpers)

set(CHANCHO_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/chancho)

# The exported name of each library: chancho::<name>.
set(chancho_exported
  chancho_options=options chancho_common=common chancho_spec=spec
  chancho_deploy=deploy chancho_compose=compose chancho_tcp_proxy=proxy
  chancho_toxiproxy=toxiproxy
  chancho_runtime=runtime chancho_faults=faults chancho_record=record
  chancho_report=report
  chancho_compare=compare chancho_probes=probes
  chancho_scenario_run=scenario_run chancho_harness=harness)
if(CHANCHO_BUILD_FIXTURES)
  list(APPEND chancho_exported chancho_fixtures=fixtures)
endif()
set(chancho_targets chancho)
foreach(pair IN LISTS chancho_exported)
  string(REPLACE "=" ";" pair "${pair}")
  list(GET pair 0 target)
  list(GET pair 1 name)
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  list(APPEND chancho_targets ${target})
endforeach()

install(TARGETS ${chancho_targets}
  EXPORT chanchoTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})

# The address shim goes where AddressShimBeside() looks: ../lib/chancho
# from the executable's directory (lib/, whatever CMAKE_INSTALL_LIBDIR is).
install(TARGETS chancho_address_shim LIBRARY DESTINATION lib/chancho)

# Bash completion, where bash-completion looks for it.
install(FILES ${CHANCHO_BASH_COMPLETION}
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

# The public headers; the CLI's own headers stay out.
set(header_dirs common harness)
if(CHANCHO_BUILD_FIXTURES)
  list(APPEND header_dirs fixtures)
endif()
foreach(dir IN LISTS header_dirs)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/chancho
    FILES_MATCHING PATTERN "*.h"
    PATTERN "cli" EXCLUDE)
endforeach()
install(FILES ${CHANCHO_GENERATED_DIR}/common/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/chancho/common)

install(EXPORT chanchoTargets
  NAMESPACE chancho::
  DESTINATION ${CHANCHO_CMAKE_DIR})
configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/chanchoConfig.cmake.in
  ${PROJECT_BINARY_DIR}/chanchoConfig.cmake
  INSTALL_DESTINATION ${CHANCHO_CMAKE_DIR})
# 0.x: a minor version may break the API, so only the same minor matches.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/chanchoConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/chanchoConfig.cmake
  ${PROJECT_BINARY_DIR}/chanchoConfigVersion.cmake
  DESTINATION ${CHANCHO_CMAKE_DIR})
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The same targets under the same names for a project that adds Chancho
# with add_subdirectory or FetchContent.
foreach(pair IN LISTS chancho_exported)
  string(REPLACE "=" ";" pair "${pair}")
  list(GET pair 0 target)
  list(GET pair 1 name)
  if(NOT TARGET chancho::${name})
    add_library(chancho::${name} ALIAS ${target})
  endif()
endforeach()
if(NOT TARGET chancho::chancho)
  add_executable(chancho::chancho ALIAS chancho)
endif()
