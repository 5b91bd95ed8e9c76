# The include direction of DESIGN.md ("Dependency direction"), checked on the
# source tree:
# - harness/ includes nothing from system/ (it starts system binaries by path);
# - system/ includes nothing from harness/ or fixtures/ (a system does not
#   know its harness);
# - common/ includes nothing from harness/, system/ or fixtures/ (it is the
#   leaf both sides share).
#
#   cmake -DSOURCE_DIR=<repository> -P ci/check-layering.cmake
#
# Prints every offending include and fails when there is one. The root
# CMakeLists.txt runs it at configure time, and ctest runs it as
# layering_test; the root CMakeLists.txt also checks the same direction on
# the targets' link libraries.

if(NOT SOURCE_DIR)
  get_filename_component(SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
endif()

# Appends to `violations` in the caller one line per include in a C++ file
# under `dir` of a header under one of the top-level directories in ARGN.
function(chancho_check_includes dir)
  list(JOIN ARGN "|" forbidden)
  list(JOIN ARGN "/, " names)
  file(GLOB_RECURSE files LIST_DIRECTORIES false
       "${SOURCE_DIR}/${dir}/*.h" "${SOURCE_DIR}/${dir}/*.hpp"
       "${SOURCE_DIR}/${dir}/*.cc" "${SOURCE_DIR}/${dir}/*.cpp")
  list(SORT files)
  set(found "${violations}")
  foreach(file IN LISTS files)
    file(STRINGS "${file}" lines
         REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<](${forbidden})/")
    file(RELATIVE_PATH path "${SOURCE_DIR}" "${file}")
    foreach(line IN LISTS lines)
      string(STRIP "${line}" line)
      string(APPEND found "  ${path}: ${line}  (${dir}/ must not include "
                          "${names}/)\n")
    endforeach()
  endforeach()
  set(violations "${found}" PARENT_SCOPE)
endfunction()

set(violations "")
chancho_check_includes(harness system)
chancho_check_includes(system harness fixtures)
chancho_check_includes(common harness system fixtures)
if(violations)
  message(FATAL_ERROR
    "layering: includes against the dependency direction of DESIGN.md "
    "(common/ is the leaf that harness/ and system/ share):\n${violations}")
endif()
